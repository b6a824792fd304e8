// `maestro policy build --mutation-report` refuses a report it cannot stand behind with one readable line, before opa runs
// and before the committed bundle is touched.
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const MAIN = fileURLToPath(new URL("../../cli/main.ts", import.meta.url));
const COMMITTED = fileURLToPath(new URL("../../policies/mutation-report.json", import.meta.url));
const BUNDLE = fileURLToPath(new URL("../../policies/bundle/maestro.tar.gz", import.meta.url));

function build(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [MAIN, "policy", "build", ...args], (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe("maestro policy build --mutation-report", () => {
  const dir = mkdtempSync(join(tmpdir(), "maestro-build-cli-"));
  const out = join(dir, "bundle.tar.gz");
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, text: string) => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };
  const report = (name: string, edit: (r: Record<string, unknown>) => void) => {
    const r = JSON.parse(readFileSync(COMMITTED, "utf8"));
    edit(r);
    return file(name, JSON.stringify(r));
  };

  it.each([
    ["a missing file", () => join(dir, "missing.json"), /no mutation report at .*missing\.json: run `maestro policy mutate --report/],
    ["a stale report", () => report("stale.json", (r) => (r.sources_digest = `rego-sha256:${"0".repeat(64)}`)), /stale\.json is stale/],
    ["a partial report", () => report("partial.json", (r) => (r.files = ["match.rego"])), /mutated only some policy files/],
    ["a report with no score", () => report("empty.json", (r) => (r.score = null)), /has no score/],
    ["not JSON", () => file("text.json", "ok\n"), /is not a JSON mutation report/],
  ])("refuses %s: exit 1, one line naming the flag, no bundle written", async (_, reportFile, message) => {
    const before = createHash("sha256").update(readFileSync(BUNDLE)).digest("hex");
    const { code, stdout, stderr } = await build(["--mutation-report", reportFile(), "--out", out]);
    expect(code).toBe(1);
    expect(stdout).toBe("");
    expect(stderr.trim().split("\n")).toHaveLength(1);
    expect(stderr).toMatch(message);
    expect(stderr).toMatch(/\(field mutation-report\)$/m);
    expect(() => readFileSync(out)).toThrow();
    expect(createHash("sha256").update(readFileSync(BUNDLE)).digest("hex")).toBe(before);
  });

  it.each([
    [["--mutation-report=", "--out", out], "maestro: --mutation-report needs a FILE"],
    [
      ["--mutation-report", COMMITTED, "--no-mutation-report", "--out", out],
      "maestro: give --mutation-report FILE or --no-mutation-report, not both",
    ],
    [["--no-mutation-report=yes", "--out", out], /^maestro: Option '--no-mutation-report' does not take an argument/],
  ])("%j is a usage error (exit 2, one line)", async (args, message) => {
    const { code, stderr } = await build(args);
    expect(code).toBe(2);
    expect(stderr.trim().split("\n")).toHaveLength(1);
    if (typeof message === "string") expect(stderr.trim()).toBe(message);
    else expect(stderr.trim()).toMatch(message);
  });

  it("--help names the flag and what the bundle records", async () => {
    const { code, stdout } = await build(["--help"]);
    expect(code).toBe(0);
    expect(stdout).toContain("--mutation-report");
    expect(stdout).toContain("metadata.mutation");
  });
});
