// Model-supplied paths become worktree-relative resources, or are refused when they would leave the worktree.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { patchTarget } from "./repo-tools.ts";
import { workspacePath } from "./workspace-path.ts";

const root = mkdtempSync(join(tmpdir(), "maestro-ws-"));
mkdirSync(join(root, "src"));
symlinkSync("/etc", join(root, "src/out"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("workspacePath", () => {
  it("normalizes inside the worktree", () => {
    expect(workspacePath(root, "./src//a/../b.ts").relative).toBe("src/b.ts");
    expect(workspacePath(root, join(root, "src/c.ts")).relative).toBe("src/c.ts");
  });
  it.each(["../x", "/etc/passwd", "src/../../x", ".git/config", ".", "", "src/out/passwd"])("refuses %j", (path) => {
    expect(() => workspacePath(root, path)).toThrow(expect.objectContaining({ code: "invalid_field" }));
  });
});

describe("patchTarget", () => {
  it("finds the one file a unified diff changes", () => {
    expect(patchTarget("--- a/src/x.ts\n+++ b/src/x.ts\n@@ -1 +1 @@\n-a\n+b\n")).toBe("src/x.ts");
    expect(patchTarget("--- /dev/null\n+++ b/new.ts\n@@ -0,0 +1 @@\n+b\n")).toBe("new.ts");
  });
  it("refuses patches over several files", () => {
    expect(() => patchTarget("--- a/x\n+++ b/x\n--- a/y\n+++ b/y\n")).toThrow(/exactly one file/);
  });
});
