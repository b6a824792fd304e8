// Model-supplied paths become worktree-relative resources, or are refused when they would leave the worktree or go through a symlink.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { workspacePath } from "./workspace-path.ts";

const root = mkdtempSync(join(tmpdir(), "maestro-ws-"));
mkdirSync(join(root, "src"));
writeFileSync(join(root, "src/real.ts"), "x\n");
symlinkSync("/etc", join(root, "src/out"));
// Dangling: realpath fails on it, yet writing through it creates the target outside the worktree.
symlinkSync(join(root, "../maestro-ws-nowhere"), join(root, "src/dangling"));
// Inside the worktree, but another file than the resource the policy would decide on.
symlinkSync("real.ts", join(root, "src/alias.ts"));
symlinkSync("src", join(root, "lib"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("workspacePath", () => {
  it("normalizes inside the worktree", () => {
    expect(workspacePath(root, "./src//a/../b.ts").relative).toBe("src/b.ts");
    expect(workspacePath(root, join(root, "src/c.ts")).relative).toBe("src/c.ts");
    expect(workspacePath(root, "src/new/deep/file.ts").relative).toBe("src/new/deep/file.ts");
  });
  it.each(["../x", "/etc/passwd", "src/../../x", ".git/config", ".", "", "src/out/passwd"])("refuses %j", (path) => {
    expect(() => workspacePath(root, path)).toThrow(expect.objectContaining({ code: "invalid_field" }));
  });
  it.each(["src/dangling", "src/alias.ts", "lib/real.ts", "src/out", "src/dangling/x"])("refuses a path through a symlink: %j", (path) => {
    expect(() => workspacePath(root, path)).toThrow(
      expect.objectContaining({ code: "invalid_field", message: expect.stringMatching(/symlink/) }),
    );
  });
});
