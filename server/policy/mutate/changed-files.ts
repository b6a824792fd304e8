// `--changed`: the policy files that differ from a git base (committed, staged, unstaged or untracked).
import { execFile } from "node:child_process";
import { relative, resolve } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/** Non-test .rego files under regoDir changed against `base`, relative to regoDir. Fails closed if git cannot answer. */
export async function changedPolicyFiles(regoDir: string, base: string): Promise<string[]> {
  const dir = resolve(regoDir);
  const { stdout: top } = await run("git", ["rev-parse", "--show-toplevel"], { cwd: dir });
  const root = top.trim();
  const diff = await run("git", ["diff", "--name-only", "--no-renames", base, "--", dir], { cwd: root });
  const untracked = await run("git", ["ls-files", "--others", "--exclude-standard", "--", dir], { cwd: root });
  const names = `${diff.stdout}\n${untracked.stdout}`.split("\n").filter(Boolean);
  return [...new Set(names.map((name) => relative(dir, resolve(root, name))))]
    .filter((name) => name.endsWith(".rego") && !name.endsWith("_test.rego") && !name.startsWith(".."))
    .sort();
}
