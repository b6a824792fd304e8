// One git branch and worktree per code-changing agent; at the end its changes are committed to the branch and the worktree removed.
import { execFile } from "node:child_process";
import { mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { MaestroError } from "../../common/errors.ts";

const run = promisify(execFile);

async function git(cwd: string, ...args: string[]): Promise<string> {
  try {
    // A fixed identity: the commit records what the agent changed, not who ran the CLI.
    const { stdout } = await run("git", ["-c", "user.name=maestro", "-c", "user.email=maestro@localhost", ...args], {
      cwd,
      maxBuffer: 16 * 1024 * 1024,
    });
    return stdout;
  } catch (err) {
    const stderr = (err as { stderr?: string }).stderr ?? "";
    throw new MaestroError("bad_request", `git ${args[0]} failed in ${cwd}: ${stderr.trim() || (err as Error).message}`, { cause: err });
  }
}

/**
 * git does not guard concurrent worktree commands on one repository: a `worktree add` reads the admin folders of the
 * others, and one still being written fails it ("failed to read .git/worktrees/…/commondir", seen in CI with agents
 * running in parallel). Operations on a repository's shared state therefore run one at a time per repository.
 */
const repoQueues = new Map<string, Promise<unknown>>();

function oneAtATime<T>(repo: string, operation: () => Promise<T>): Promise<T> {
  const key = resolve(repo);
  const result = (repoQueues.get(key) ?? Promise.resolve()).then(operation, operation);
  const settled = result.catch(() => {});
  repoQueues.set(key, settled);
  void settled.then(() => repoQueues.get(key) === settled && repoQueues.delete(key));
  return result;
}

export interface Worktree {
  path: string;
  branch: string;
  base: string;
}

export function createWorktree(repo: string, branch: string, base = "HEAD", root = join(tmpdir(), "maestro-worktrees")): Promise<Worktree> {
  return oneAtATime(repo, async () => {
    await git(repo, "rev-parse", "--git-dir");
    const path = join(root, branch.replaceAll("/", "__"));
    await mkdir(root, { recursive: true });
    const baseCommit = (await git(repo, "rev-parse", "--verify", `${base}^{commit}`)).trim();
    await git(repo, "worktree", "add", "-q", "-b", branch, path, baseCommit);
    return { path, branch, base: baseCommit };
  });
}

export interface FinishedWorktree {
  branch: string;
  /** The branch head after the agent's work (the base when nothing changed). */
  commit: string;
  changed: boolean;
}

/** Commits whatever the agent left, removes the worktree, keeps the branch for review. */
export function finishWorktree(repo: string, worktree: Worktree, message: string): Promise<FinishedWorktree> {
  return oneAtATime(repo, async () => {
    await git(worktree.path, "add", "-A");
    const changed = (await git(worktree.path, "status", "--porcelain")).trim() !== "";
    if (changed) await git(worktree.path, "commit", "-q", "--no-verify", "-m", message);
    const commit = (await git(worktree.path, "rev-parse", "HEAD")).trim();
    await git(repo, "worktree", "remove", "--force", worktree.path);
    return { branch: worktree.branch, commit, changed };
  });
}
