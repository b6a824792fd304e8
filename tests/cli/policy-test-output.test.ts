// `maestro policy test` prints a summary and failures by default (it printed ~120 PASS lines), every test with -v.
import { execFile, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it, vi } from "vitest";

vi.setConfig({ testTimeout: 180_000 });

const MAIN = fileURLToPath(new URL("../../cli/main.ts", import.meta.url));

function policyTest(args: string[]): Promise<{ code: number; stdout: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [MAIN, "policy", "test", ...args], (err, stdout) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout }),
    );
  });
}

describe("maestro policy test output", () => {
  it("is a count and the coverage by default, and every test with -v", async () => {
    const quiet = await policyTest([]);
    expect(quiet.code, quiet.stdout).toBe(0);
    expect(quiet.stdout).toMatch(/^PASS: (\d+)\/\1\npolicy coverage: [\d.]+% \(threshold 90%\)\n$/);
    const verbose = await policyTest(["-v"]);
    expect(verbose.code).toBe(0);
    const passes = Number(/^PASS: (\d+)\//m.exec(quiet.stdout)![1]);
    expect(verbose.stdout.match(/: PASS \(/g)?.length).toBe(passes);
  });

  it("ends quietly with exit 0 when its reader closes the pipe early (| head)", async () => {
    const child = spawn(process.execPath, [MAIN, "policy", "test", "-v"], { stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d));
    // Read the first chunk, then close our end, as `head -1` does.
    await new Promise<void>((resolve) => child.stdout.once("data", () => resolve()));
    child.stdout.destroy();
    const code = await new Promise<number | null>((resolve) => child.on("close", (c) => resolve(c)));
    expect(stderr).not.toMatch(/EPIPE|Unhandled/);
    expect(code).toBe(0);
  });
});
