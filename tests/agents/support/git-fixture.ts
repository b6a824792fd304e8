// A throwaway git repository with a failing test, for runs that read, edit and test.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const BROKEN_ADD = "export const add = (a, b) => a - b;\n";
export const FIXED_ADD = "export const add = (a, b) => a + b;\n";
export const TEST_COMMAND = "node test.mjs";

export function git(cwd: string, ...args: string[]): string {
  return execFileSync("git", ["-c", "user.name=test", "-c", "user.email=test@localhost", ...args], { cwd, encoding: "utf8" });
}

export function makeRepo(): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), "maestro-repo-"));
  mkdirSync(join(dir, "src"));
  writeFileSync(join(dir, "src/add.js"), BROKEN_ADD);
  writeFileSync(join(dir, "package.json"), '{"type":"module"}\n');
  writeFileSync(
    join(dir, "test.mjs"),
    'import { add } from "./src/add.js";\nif (add(2, 3) !== 5) { console.error(`add(2,3) = ${add(2, 3)}`); process.exit(1); }\nconsole.log("ok");\n',
  );
  git(dir, "init", "-q", "-b", "main");
  git(dir, "add", "-A");
  git(dir, "commit", "-q", "-m", "initial");
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
