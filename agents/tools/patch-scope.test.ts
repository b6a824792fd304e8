// The path a patch is decided on is read the way git apply -p1 reads it; anything beyond one plain file is refused before mediation.
import { describe, expect, it } from "vitest";
import { patchTarget } from "./patch-scope.ts";

describe("patchTarget", () => {
  it("finds the one file a unified diff changes, creates or deletes", () => {
    expect(patchTarget("--- a/src/x.ts\n+++ b/src/x.ts\n@@ -1 +1 @@\n-a\n+b\n")).toBe("src/x.ts");
    expect(patchTarget("diff --git a/new.ts b/new.ts\nnew file mode 100644\n--- /dev/null\n+++ b/new.ts\n@@ -0,0 +1 @@\n+b\n")).toBe(
      "new.ts",
    );
    expect(patchTarget("diff --git a/old.sh b/old.sh\ndeleted file mode 100755\n--- a/old.sh\n+++ /dev/null\n@@ -1 +0,0 @@\n-b\n")).toBe(
      "old.sh",
    );
    expect(patchTarget("--- a/x.sql\t2024-01-01\r\n+++ b/x.sql\t2024-01-02\r\n@@ -1,2 +1 @@\r\n-- comment\r\n--- another\r\n")).toBe(
      "x.sql",
    );
  });
  it("reads hunk lines as content, not headers", () => {
    // "--- y" here is the removed line "-- y", not a second file.
    expect(patchTarget("--- a/x.sql\n+++ b/x.sql\n@@ -1,2 +1,2 @@\n--- y\n+++ z\n ctx\n")).toBe("x.sql");
  });
  it("refuses patches over several files", () => {
    expect(() => patchTarget("--- a/x\n+++ b/x\n--- a/y\n+++ b/y\n")).toThrow(/exactly one file/);
    expect(() => patchTarget("--- a/x\n+++ b/y\n@@ -1 +1 @@\n-a\n+b\n")).toThrow(/exactly one file/);
  });
  it("refuses paths without the a/ and b/ folder git apply -p1 strips", () => {
    // Decided as src/package.json, -p1 would have patched package.json at the root.
    expect(() => patchTarget("--- src/package.json\n+++ src/package.json\n@@ -1 +1 @@\n-a\n+b\n")).toThrow(/a\/<path> and b\/<path>/);
    expect(() => patchTarget("--- a/\n+++ b/\n")).toThrow(/a\/<path>/);
  });
  it.each([
    [
      "a rename",
      "diff --git a/src/x.ts b/src/x.ts\n--- a/src/x.ts\n+++ b/src/x.ts\n@@ -1 +1 @@\n-a\n+b\ndiff --git a/t.test.ts b/src/m.txt\nsimilarity index 100%\nrename from t.test.ts\nrename to src/m.txt\n",
    ],
    ["a copy", "diff --git a/a b/src/c\ncopy from a\ncopy to src/c\n--- a/src/c\n+++ b/src/c\n"],
    ["a new symlink", "diff --git a/src/l b/src/l\nnew file mode 120000\n--- /dev/null\n+++ b/src/l\n@@ -0,0 +1 @@\n+/etc/passwd\n"],
    ["a file turned into a symlink", "diff --git a/src/l b/src/l\nold mode 100644\nnew mode 120000\n--- a/src/l\n+++ b/src/l\n"],
    [
      "a submodule",
      "diff --git a/src/m b/src/m\nnew file mode 160000\n--- /dev/null\n+++ b/src/m\n@@ -0,0 +1 @@\n+Subproject commit 0000000000000000000000000000000000000000\n",
    ],
    ["a binary patch", "diff --git a/src/b.bin b/src/b.bin\nGIT binary patch\nliteral 1\nIcmZpX000310RR91\n"],
  ])("refuses %s", (_what, patch) => {
    expect(() => patchTarget(patch)).toThrow(expect.objectContaining({ code: "invalid_field", field: "patch" }));
  });
});
