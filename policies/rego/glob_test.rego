# Tests that maestro.lib.glob.match agrees with glob.match on every pattern shape, fast path or not.
package maestro.lib.glob_test

import data.maestro.lib.glob as patterns

delimiter_sets := [null, ["/"], ["."], [":"]]

cases := [
	["src/app.ts", "src/app.ts"], ["src/app.ts", "src/app.tsx"], ["src/**", "src/a/b.ts"], ["src/**", "src/"],
	["src/**", "src"], ["src/**", "lib/src/x"], ["**", ""], ["**", "a/b.c:d"], ["npm test*", "npm test -- --run"],
	["npm test*", "npm tes"], ["src/*", "src/a"], ["src/*", "src/a/b"], ["*.npmjs.org", "registry.npmjs.org"],
	["*.npmjs.org", "a.b.npmjs.org"], ["npm:left-*", "npm:left-pad"], ["npm:@scope/*", "npm:@scope/x/y"],
	["a?c", "abc"], ["[ab]x", "bx"], ["{x,y}z", "yz"], ["a\\*", "a*"], ["a\\*", "ab"], ["*", "a/b"], ["*", ""],
	["", ""], ["", "x"], ["acme/api@*", "acme/api@v1.2.0"], ["x**y", "x/a/y"], ["*.pem", "k.pem"], ["*.pem", ".pem"],
	["*.pem", "a/k.pem"], ["*.pem", "k.pem.txt"], ["*.pem", "pem"], ["**.pem", "a/k.pem"], ["*.p*", "k.pfx"],
]

test_match_agrees_with_glob_match if {
	every delimiters in delimiter_sets {
		every c in cases {
			patterns.match(c[0], delimiters, c[1]) == glob.match(c[0], delimiters, c[1])
		}
	}
}

test_fast_paths_are_taken if {
	patterns.literal("src/app.ts")
	patterns.any_suffix_prefix("src/**") == "src/"
	patterns.star_prefix("npm test*", null) == "npm test"
	patterns.star_suffix("*.pem", null) == ".pem"
	not patterns.any_suffix_prefix("src/*/**")
	not patterns.star_suffix("*.p*", null)
}

# Each metacharacter alone, anywhere in a pattern, sends it to glob.match.
test_every_metacharacter_is_not_literal if {
	every c in ["*", "?", "[", "]", "{", "}", "\\"] {
		not patterns.literal(concat("", ["src/", c, "/x"]))
	}
	patterns.literal("src/app.ts")
}
