# glob.match with fast paths for the common pattern shapes (exact, "prefix**", "prefix*" without delimiters).
package maestro.lib.glob

# Why: in OPA's Wasm runtime every glob.match call compiles its pattern afresh (~7 µs), which dominated
# evaluation with a dozen grants. These shapes are decided with plain string builtins instead; their
# equivalence with glob.match is asserted in glob_test.rego. Pattern syntax (gobwas/glob):
# https://www.openpolicyagent.org/docs/policy-reference/#builtin-glob-globmatch

# One contains() per metacharacter rather than a loop over a set of them: in Wasm, iterating a set
# costs a rule call and an iterator per element, and this runs for every grant and waiver (~4 % of a decision with a dozen grants).
literal(s) if {
	not contains(s, "*")
	not contains(s, "?")
	not contains(s, "[")
	not contains(s, "]")
	not contains(s, "{")
	not contains(s, "}")
	not contains(s, "\\")
}

# "**" matches any run of characters, delimiters included, so "<literal>**" is a prefix test.
any_suffix_prefix(pattern) := prefix if {
	# mutate: equivalent drop-expr,string — without this guard trim_suffix changes nothing and literal() fails on the "*"s left
	endswith(pattern, "**")
	prefix := trim_suffix(pattern, "**")
	literal(prefix)
}

# "*" matches any run of non-delimiters; with no delimiters (null) "<literal>*" is a prefix test too.
star_prefix(pattern, null) := prefix if {
	# mutate: equivalent drop-expr,string — without this guard trim_suffix changes nothing and literal() fails on the "*" left
	endswith(pattern, "*")
	prefix := trim_suffix(pattern, "*")
	literal(prefix)
}

# "*" matches any run of non-delimiters; with no delimiters (null) "*<literal>" is a suffix test.
star_suffix(pattern, null) := suffix if {
	# mutate: equivalent drop-expr,string — without this guard trim_prefix changes nothing and literal() fails on the "*" left
	startswith(pattern, "*")
	suffix := trim_prefix(pattern, "*")
	literal(suffix)
}

match(pattern, delimiters, value) := pattern == value if literal(pattern)

# mutate: equivalent remove-else — a fast path: glob.match gives the same answer (glob_test.rego)
else := startswith(value, prefix) if prefix := any_suffix_prefix(pattern)

# mutate: equivalent remove-else — a fast path: glob.match gives the same answer (glob_test.rego)
else := startswith(value, prefix) if prefix := star_prefix(pattern, delimiters)

# mutate: equivalent remove-else — a fast path: glob.match gives the same answer (glob_test.rego)
else := endswith(value, suffix) if suffix := star_suffix(pattern, delimiters)

else := glob.match(pattern, delimiters, value)
