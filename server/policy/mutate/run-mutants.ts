// Runs the policy tests against each mutant, `jobs` at a time, each under a time limit: in mutant-runner processes
// (runner-process.ts), one per job. `opaTest` runs the real `opa test` once, for the unmutated baseline and the
// benchmark's floor; it exits 0 when every test passes, 2 when a test failed and 1 when the files did not load or
// compile: https://www.openpolicyagent.org/docs/cli#opa-test
import { execFile } from "node:child_process";
import type { Mutant } from "./mutate-file.ts";
import { assertRunnerInstalled, MutantRunner, runnerPathFor } from "./runner-process.ts";
import { itemAt } from "../../../common/present.ts";

export type Outcome = "killed" | "survived" | "timeout" | "not-compiling";

export interface MutantResult {
  mutant: Mutant;
  outcome: Outcome;
  /** For not-compiling: opa's first error line, so a reader sees why. */
  detail?: string;
  ms: number;
}

export interface RunOptions {
  opaPath: string;
  regoDir: string;
  jobs: number;
  /** Wall-clock limit per mutant; past it the opa process is killed and the mutant counts as timed out. */
  timeoutMs: number;
  onResult?: (result: MutantResult) => void;
}

interface TestRun {
  code: number | null;
  timedOut: boolean;
  stderr: string;
  ms: number;
}

export function opaTest(opaPath: string, dir: string, timeoutMs: number): Promise<TestRun> {
  const started = performance.now();
  return new Promise((resolve) => {
    // --timeout bounds each test inside opa; the process limit bounds loading and compiling too.
    const args = ["test", "--timeout", `${Math.max(1, Math.ceil(timeoutMs / 1000))}s`, dir];
    // One OS thread per opa: parallelism comes from --jobs, and Go's own threads would only contend with the other jobs.
    const env = { ...process.env, GOMAXPROCS: "1" };
    execFile(opaPath, args, { env, timeout: timeoutMs, killSignal: "SIGKILL", maxBuffer: 64 * 1024 * 1024 }, (err, _stdout, stderr) => {
      const e = err as (Error & { code?: number | string; killed?: boolean; signal?: string }) | null;
      const timedOut = Boolean(e?.killed || e?.signal === "SIGKILL");
      const code = e ? (typeof e.code === "number" ? e.code : null) : 0;
      resolve({ code, timedOut, stderr: String(stderr), ms: performance.now() - started });
    });
  });
}

/** One mutant-runner per job; a mutant with no answer in time gets one retry at three times the limit in a new runner. */
export async function runMutants(mutants: Mutant[], options: RunOptions): Promise<MutantResult[]> {
  const runnerPath = runnerPathFor(options.opaPath);
  await assertRunnerInstalled(runnerPath);
  const results: MutantResult[] = new Array(mutants.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    let runner = new MutantRunner(runnerPath, options.regoDir, options.timeoutMs);
    try {
      while (next < mutants.length) {
        const index = next++;
        const mutant = itemAt(mutants, index, "mutants");
        const started = performance.now();
        let verdict = await runner.run(mutant.file, mutant.source, options.timeoutMs);
        // On a shared machine a slow run is not a hang: retry once with three times the limit before calling it one.
        if (verdict === null) {
          runner = new MutantRunner(runnerPath, options.regoDir, options.timeoutMs);
          verdict = await runner.run(mutant.file, mutant.source, options.timeoutMs * 3);
          if (verdict === null) runner = new MutantRunner(runnerPath, options.regoDir, options.timeoutMs);
        }
        const ms = Math.round(performance.now() - started);
        // Only a compile failure's reason is reported: a killing test's name is not part of the report.
        const detail = verdict?.outcome === "not-compiling" ? verdict.detail : undefined;
        const result: MutantResult =
          verdict === null ? { mutant, outcome: "timeout", ms } : { mutant, outcome: verdict.outcome, detail, ms };
        results[index] = result;
        options.onResult?.(result);
      }
    } finally {
      runner.close();
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.jobs, mutants.length)) }, worker));
  return results;
}
