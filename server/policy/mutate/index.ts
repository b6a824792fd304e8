// Policy mutation testing: make AST mutants of the Rego policies, run the policy tests against each, score the tests.
// One function reads as the process: choose files → make mutants → check the unmutated suite → run → report.
import { readdir } from "node:fs/promises";
import { availableParallelism } from "node:os";
import { join, relative, sep } from "node:path";
import { MaestroError } from "../../../common/errors.ts";
import { regoSources } from "../bundle-build.ts";
import { changedPolicyFiles } from "./changed-files.ts";
import { buildReport, type MutationReport } from "./mutation-report.ts";
import { mutateFile } from "./mutate-file.ts";
import { type MutantResult, opaTest, runMutants } from "./run-mutants.ts";

export { formatReport, type MutationReport, REPORT_VERSION } from "./mutation-report.ts";
export { OPERATORS } from "./operators.ts";

/** Conductor v2.0's release KPI for policy mutation coverage (issue #19). */
export const DEFAULT_MUTATION_THRESHOLD = 0.94;

export interface MutateOptions {
  opaPath: string;
  regoDir: string;
  threshold?: number;
  jobs?: number;
  /** Per-mutant limit; default ten times the unmutated suite's time, at least 10 s. */
  timeoutMs?: number;
  /** Mutate only policy files changed against this git ref (e.g. "main"). */
  changedAgainst?: string;
  /** Mutate only these policy files (relative to regoDir); the whole suite still runs against each mutant. */
  only?: string[];
  onResult?: (result: MutantResult) => void;
}

async function policyFiles(regoDir: string): Promise<string[]> {
  const entries = await readdir(regoDir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && e.name.endsWith(".rego") && !e.name.endsWith("_test.rego"))
    .map((e) => relative(regoDir, join(e.parentPath, e.name)).split(sep).join("/"))
    .sort();
}

export async function mutatePolicies(options: MutateOptions): Promise<MutationReport> {
  const started = performance.now();
  const threshold = options.threshold ?? DEFAULT_MUTATION_THRESHOLD;
  const jobs = options.jobs ?? availableParallelism();
  const all = options.changedAgainst
    ? await changedPolicyFiles(options.regoDir, options.changedAgainst)
    : await policyFiles(options.regoDir);
  const unknown = options.changedAgainst ? [] : (options.only ?? []).filter((file) => !all.includes(file));
  if (unknown.length > 0)
    throw new MaestroError("bad_request", `not a policy file of ${options.regoDir}: ${unknown.join(", ")}`, { field: "files" });
  const files = options.only ? all.filter((file) => options.only!.includes(file)) : all;

  // A suite that already fails kills every mutant: the score would be meaningless, so refuse to compute it.
  const baseline = await opaTest(options.opaPath, options.regoDir, 120_000);
  if (baseline.code !== 0) {
    throw new MaestroError("bad_request", `the policy tests fail before any mutation (run maestro policy test): ${baseline.stderr.trim()}`);
  }
  const timeoutMs = options.timeoutMs ?? Math.max(10_000, Math.ceil(baseline.ms * 10));

  // Digested before any mutant is made: the score speaks for these sources, tests included.
  const { revision } = await regoSources(options.regoDir);
  const { revision: sourcesDigest } = await regoSources(options.regoDir, { withTests: true });
  const mutants = (await Promise.all(files.map((file) => mutateFile(options.opaPath, options.regoDir, file)))).flatMap((f) => f.mutants);
  const results = await runMutants(mutants, {
    opaPath: options.opaPath,
    regoDir: options.regoDir,
    jobs,
    timeoutMs,
    onResult: options.onResult,
  });
  return buildReport(results, {
    revision,
    sourcesDigest,
    files,
    threshold,
    jobs,
    timeoutMs,
    durationMs: Math.round(performance.now() - started),
    emptyIsOk: options.changedAgainst !== undefined,
  });
}
