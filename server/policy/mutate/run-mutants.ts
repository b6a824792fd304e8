// Runs `opa test` against each mutant, `jobs` at a time, each in its own scratch copy of the Rego directory and under
// a time limit. opa test exits 0 when every test passes (the mutant survived), 2 when a test failed (killed) and 1
// when the files did not load or compile: https://www.openpolicyagent.org/docs/cli#opa-test
import { execFile } from "node:child_process";
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Mutant } from "./mutate-file.ts";

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

/** Compile and load failures opa reports as rego_<kind>_error (parse, type, unsafe_var, compile, recursion). */
const COMPILE_ERROR = /rego_[a-z_]+_error/;

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

function classify(run: TestRun): { outcome: Outcome; detail?: string } {
  if (run.timedOut) return { outcome: "timeout" };
  if (run.code === 0) return { outcome: "survived" };
  if (run.code === 1 && COMPILE_ERROR.test(run.stderr)) {
    const line = run.stderr.split("\n").find((l) => COMPILE_ERROR.test(l)) ?? "";
    return { outcome: "not-compiling", detail: line.replace(/^.*?:\d+: /, "").trim() };
  }
  // Any other failure of the suite (a failed or erroring test) means the tests noticed the change.
  return { outcome: "killed" };
}

/** Copies the Rego directory once per job; each job writes its mutant over its own copy and restores it after. */
export async function runMutants(mutants: Mutant[], options: RunOptions): Promise<MutantResult[]> {
  const results: MutantResult[] = new Array(mutants.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    const dir = await mkdtemp(join(tmpdir(), "maestro-mutate-"));
    try {
      await cp(options.regoDir, dir, { recursive: true });
      while (next < mutants.length) {
        const index = next++;
        const mutant = mutants[index];
        const target = join(dir, mutant.file);
        const original = await readFile(target);
        await writeFile(target, mutant.source);
        try {
          let run = await opaTest(options.opaPath, dir, options.timeoutMs);
          // On a shared machine a slow run is not a hang: retry once with three times the limit before calling it one.
          if (run.timedOut) run = await opaTest(options.opaPath, dir, options.timeoutMs * 3);
          results[index] = { mutant, ...classify(run), ms: Math.round(run.ms) };
          options.onResult?.(results[index]);
        } finally {
          await writeFile(target, original);
        }
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.jobs, mutants.length)) }, worker));
  return results;
}
