// `maestro policy mutate` refuses bad flags with one readable line and exit 2, before any mutant runs.
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const MAIN = fileURLToPath(new URL("../../cli/main.ts", import.meta.url));

function mutate(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [MAIN, "policy", "mutate", ...args], (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe("maestro policy mutate flags", () => {
  it.each([
    [["--threshold", "94"], /--threshold must be a fraction from 0 to 1/],
    [["--threshold", "0.9x"], /--threshold must be a fraction from 0 to 1/],
    [["--jobs", "0"], /--jobs must be a whole number/],
    [["--jobs", "1.5"], /--jobs must be a whole number/],
    [["--timeout=-1"], /--timeout must be seconds/],
    [["--timeout", "0"], /--timeout must be seconds/],
    [["--base", "main"], /--base needs --changed/],
    [["--changed", "--base", "main;rm"], /--base must be a git ref/],
    [["--bogus"], /Unknown option '--bogus'/],
  ])("%j is a usage error", async (args, message) => {
    const { code, stdout, stderr } = await mutate(args);
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr.trim().split("\n")).toHaveLength(1);
    expect(stderr).toMatch(message);
  });

  it("refuses a FILE that is not a policy file, naming it", async () => {
    const { code, stderr } = await mutate(["nope.rego"]);
    expect(code).toBe(1);
    expect(stderr.trim().split("\n")).toHaveLength(1);
    expect(stderr).toMatch(/not a policy file of .*: nope\.rego \(field files\)/);
  });

  it("--help names every flag", async () => {
    const { code, stdout } = await mutate(["--help"]);
    expect(code).toBe(0);
    for (const flag of ["--json", "--threshold", "--jobs", "--timeout", "--changed", "--base", "--report"]) expect(stdout).toContain(flag);
  });
});
