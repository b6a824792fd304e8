// Runs the policy gate: `opa fmt --fail`, `opa check --strict`, `opa test -v`, coverage >= threshold, fresh bundle.
// Coverage comes from `opa test --coverage -f json` (https://www.openpolicyagent.org/docs/policy-testing#coverage),
// counted over policy files only (tests excluded). Run directly: `node server/policy/policy-test.ts`.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { checkBundleFresh, DEFAULT_OPA_PATH, DEFAULT_REGO_DIR } from "./default-bundle.ts";

const run = promisify(execFile);

export const DEFAULT_COVERAGE_THRESHOLD = 90;

export interface PolicyTestOptions {
  opaPath?: string;
  regoDir?: string;
  /** Minimum line coverage (percent) of non-test Rego files. */
  threshold?: number;
  /** Also require the committed default bundle to match the sources (default: when regoDir is the default). */
  checkBundle?: boolean;
  /** Every test's PASS line (opa test -v); by default opa prints only failures and the PASS/FAIL count. */
  verbose?: boolean;
  log?: (line: string) => void;
}

export interface PolicyTestReport {
  ok: boolean;
  /** Percent of policy (non-test) lines covered, or null when the tests did not run to completion. */
  coverage: number | null;
  problems: string[];
}

interface CoverageFile {
  covered_lines?: number;
  not_covered_lines?: number;
}

/** Line coverage over non-test files from `opa test --coverage -f json` output. */
export function policyCoverage(report: { files?: Record<string, CoverageFile> }): number {
  let covered = 0;
  let total = 0;
  for (const [path, file] of Object.entries(report.files ?? {})) {
    if (path.endsWith("_test.rego")) continue;
    covered += file.covered_lines ?? 0;
    total += (file.covered_lines ?? 0) + (file.not_covered_lines ?? 0);
  }
  return total === 0 ? 0 : (covered / total) * 100;
}

async function opa(opaPath: string, args: string[]): Promise<{ ok: boolean; out: string; stdout: string }> {
  try {
    const { stdout, stderr } = await run(opaPath, args, { maxBuffer: 64 * 1024 * 1024 });
    return { ok: true, out: `${stdout}${stderr}`, stdout };
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    return { ok: false, out: `${e.stdout ?? ""}${e.stderr ?? ""}` || e.message, stdout: e.stdout ?? "" };
  }
}

export async function runPolicyTests(options: PolicyTestOptions = {}): Promise<PolicyTestReport> {
  const opaPath = options.opaPath ?? DEFAULT_OPA_PATH;
  const regoDir = options.regoDir ?? DEFAULT_REGO_DIR;
  const threshold = options.threshold ?? DEFAULT_COVERAGE_THRESHOLD;
  const log = options.log ?? (() => {});
  const problems: string[] = [];

  const fmt = await opa(opaPath, ["fmt", "--fail", "--list", regoDir]);
  if (!fmt.ok) problems.push(`opa fmt: not formatted (run \`opa fmt -w\`): ${fmt.out.trim()}`);
  const check = await opa(opaPath, ["check", "--strict", regoDir]);
  if (!check.ok) problems.push(`opa check --strict failed:\n${check.out.trim()}`);
  const tests = await opa(opaPath, ["test", ...(options.verbose ? ["-v"] : []), regoDir]);
  log(tests.out.trimEnd());
  if (!tests.ok) problems.push("opa test: failures (see output above)");

  let coverage: number | null = null;
  if (tests.ok) {
    const cov = await opa(opaPath, ["test", "--coverage", "-f", "json", regoDir]);
    coverage = cov.ok ? policyCoverage(JSON.parse(cov.stdout)) : null;
    if (coverage === null) problems.push("opa test --coverage failed");
    else if (coverage < threshold) problems.push(`coverage ${coverage.toFixed(1)}% is below ${threshold}%`);
    if (coverage !== null) log(`policy coverage: ${coverage.toFixed(1)}% (threshold ${threshold}%)`);
  }

  if (options.checkBundle ?? regoDir === DEFAULT_REGO_DIR) {
    const fresh = await checkBundleFresh();
    if (!fresh.fresh) {
      problems.push(`policy bundle is stale: run \`maestro policy build\` (${fresh.problems.join("; ")})`);
    }
  }
  for (const problem of problems) log(`FAIL ${problem}`);
  return { ok: problems.length === 0, coverage, problems };
}

if (import.meta.main) {
  const report = await runPolicyTests({ log: (line) => console.log(line) });
  process.exitCode = report.ok ? 0 : 1;
}
