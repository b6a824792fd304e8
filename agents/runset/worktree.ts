// One git branch and worktree per code-changing agent; at the end its changes are committed to the branch and the worktree removed.
import { execFile } from "node:child_process";
import { mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { MaestroError } from "../../common/errors.ts";

const run = promisify(execFile);

async function git(cwd: string, ...args: string[]): Promise<string> {
  try {
    // A fixed identity: the commit records what the agent changed, not who ran the CLI.
    const { stdout } = await run("git", ["-c", "user.name=maestro", "-c", "user.email=maestro@localhost", ...args], { cwd, maxBuffer: 16 * 1024 * 1024 });
    return stdout;
  } catch (err) {
    const stderr = (err as { stderr?: string }).stderr ?? "";
    throw new MaestroError("bad_request", `git ${args[0]} failed in ${cwd}: ${stderr.trim() || (err as Error).message}`, { cause: err });
  }
}

export interface Worktree {
  path: string;
  branch: string;
  base: string;
}

export async function createWorktree(repo: string, branch: string, base = "HEAD", root = join(tmpdir(), "maestro-worktrees")): Promise<Worktree> {
  await git(repo, "rev-parse", "--git-dir");
  const path = join(root, branch.replaceAll("/", "__"));
  await mkdir(root, { recursive: true });
  const baseCommit = (await git(repo, "rev-parse", "--verify", `${base}^{commit}`)).trim();
  await git(repo, "worktree", "add", "-q", "-b", branch, path, baseCommit);
  return { path, branch, base: baseCommit };
}

export interface FinishedWorktree {
  branch: string;
  /** The branch head after the agent's work (the base when nothing changed). */
  commit: string;
  changed: boolean;
}

/** Commits whatever the agent left, removes the worktree, keeps the branch for review. */
export async function finishWorktree(repo: string, worktree: Worktree, message: string): Promise<FinishedWorktree> {
  await git(worktree.path, "add", "-A");
  const changed = (await git(worktree.path, "status", "--porcelain")).trim() !== "";
  if (changed) await git(worktree.path, "commit", "-q", "--no-verify", "-m", message);
  const commit = (await git(worktree.path, "rev-parse", "HEAD")).trim();
  await git(repo, "worktree", "remove", "--force", worktree.path);
  return { branch: worktree.branch, commit, changed };
}
