// Lock file packages and SPDX alternatives: what the licence policy reads.
import { describe, expect, it } from "vitest";
import { isNpmLockFile, licenceAlternatives, lockFilePackages } from "./licence-facts.ts";

describe("licence facts", () => {
  it("puts SPDX expressions in disjunctive form", () => {
    expect(licenceAlternatives("MIT")).toEqual([["MIT"]]);
    expect(licenceAlternatives("MIT OR (Apache-2.0 AND BSD-3-Clause)")).toEqual([["MIT"], ["Apache-2.0", "BSD-3-Clause"]]);
    expect(licenceAlternatives("(MIT OR ISC) AND GPL-2.0-only WITH Classpath-exception-2.0")).toEqual([
      ["MIT", "GPL-2.0-only WITH Classpath-exception-2.0"],
      ["ISC", "GPL-2.0-only WITH Classpath-exception-2.0"],
    ]);
    expect(licenceAlternatives("not a licence (")).toEqual([]);
  });

  it("lists a v3 lock file's packages with their licences, skipping the project and workspace links", () => {
    const lock = {
      lockfileVersion: 3,
      packages: {
        "": { name: "app", license: "MIT" },
        "node_modules/left-pad": { version: "1.3.0", license: "WTFPL" },
        "node_modules/a/node_modules/@scope/b": { version: "2.0.0", license: "GPL-3.0-only" },
        "node_modules/no-licence": { version: "0.1.0" },
        "node_modules/ws-pkg": { resolved: "packages/ws-pkg", link: true },
      },
    };
    expect(lockFilePackages(JSON.stringify(lock))).toEqual([
      { name: "left-pad", version: "1.3.0", licence: "WTFPL", alternatives: [["WTFPL"]] },
      { name: "@scope/b", version: "2.0.0", licence: "GPL-3.0-only", alternatives: [["GPL-3.0-only"]] },
      { name: "no-licence", version: "0.1.0", licence: null, alternatives: [] },
    ]);
  });

  it("reads nothing from a file that is not a v2/v3 lock file", () => {
    expect(lockFilePackages("{")).toBeNull();
    expect(lockFilePackages(JSON.stringify({ lockfileVersion: 1, dependencies: {} }))).toBeNull();
    expect(lockFilePackages("[]")).toBeNull();
    expect(isNpmLockFile("package-lock.json")).toBe(true);
    expect(isNpmLockFile("web/package-lock.json")).toBe(true);
    expect(isNpmLockFile("docs/package-lock.json.md")).toBe(false);
  });
});
