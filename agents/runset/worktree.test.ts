// Worktrees of one repository created and finished concurrently (agents running in parallel) all succeed. Without
// worktree.ts's per-repository queue, git's concurrent `worktree add`s failed each other under load.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createWorktree, finishWorktree } from "./worktree.ts";

const dir = mkdtempSync(join(tmpdir(), "maestro-worktree-test-"));
const git = (cwd: string, ...args: string[]) =>
  execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@t", ...args], { cwd, encoding: "utf8" });

describe("worktrees", () => {
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("twelve agents at once: every worktree is created, committed to its branch and removed", async () => {
    const repo = join(dir, "repo");
    execFileSync("git", ["init", "-q", "-b", "main", repo]);
    writeFileSync(join(repo, "a.txt"), "a\n");
    git(repo, "add", "-A");
    git(repo, "commit", "-q", "-m", "base");
    const root = join(dir, "trees");
    const trees = await Promise.all(Array.from({ length: 12 }, (_, i) => createWorktree(repo, `maestro/t/agent-${i}`, "HEAD", root)));
    trees.forEach((t, i) => writeFileSync(join(t.path, "a.txt"), `agent ${i}\n`));
    const finished = await Promise.all(trees.map((t, i) => finishWorktree(repo, t, `agent ${i}`)));
    expect(finished.every((f) => f.changed)).toBe(true);
    finished.forEach((f, i) => expect(git(repo, "show", `${f.branch}:a.txt`)).toBe(`agent ${i}\n`));
    expect(git(repo, "worktree", "list").trim().split("\n")).toHaveLength(1);
  });
});
