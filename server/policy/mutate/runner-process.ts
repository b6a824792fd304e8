// One long-lived policies/mutant-runner process per job: it parses the policy directory once, then answers each
// mutant with one compile and the tests up to the first failure. A process per mutant (`opa test`) spent most of
// its time starting, loading and running every test of mutants an early test had already killed.
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { access } from "node:fs/promises";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { MaestroError } from "../../../common/errors.ts";

export interface RunnerVerdict {
  outcome: "killed" | "survived" | "not-compiling";
  /** The killing test, or the compiler's first error for a mutant that does not compile. */
  detail?: string;
}

/** Built beside opa by scripts/bootstrap-opa.sh from policies/mutant-runner, against the same OPA version. */
export function runnerPathFor(opaPath: string): string {
  return join(dirname(opaPath), "mutant-runner");
}

export async function assertRunnerInstalled(runnerPath: string): Promise<void> {
  try {
    await access(runnerPath);
  } catch {
    throw new MaestroError("internal", `${runnerPath} is missing: run sh scripts/bootstrap-opa.sh to build it`);
  }
}

export class MutantRunner {
  #child: ChildProcessWithoutNullStreams;
  #pending: Array<(line: string | null) => void> = [];
  #stderr = "";

  constructor(runnerPath: string, regoDir: string, testTimeoutMs: number) {
    const timeout = `${Math.max(1, Math.ceil(testTimeoutMs / 1000))}s`;
    // One OS thread per runner: parallelism comes from the jobs, and Go's own threads would only contend with them.
    this.#child = spawn(runnerPath, ["-timeout", timeout], { env: { ...process.env, GOMAXPROCS: "1" } });
    this.#child.stderr.on("data", (chunk: Buffer) => (this.#stderr = (this.#stderr + chunk.toString()).slice(-4096)));
    createInterface({ input: this.#child.stdout }).on("line", (line) => this.#pending.shift()?.(line));
    this.#child.on("exit", () => this.#pending.splice(0).forEach((resolve) => resolve(null)));
    this.#child.stdin.on("error", () => {}); // a dead runner is reported by the exit above, not as a crash here
    this.#child.stdin.write(`${JSON.stringify({ dir: regoDir })}\n`);
  }

  /** The verdict, or null when no answer came within limitMs (the runner is then killed: make a new one). */
  run(file: string, source: Buffer, limitMs: number): Promise<RunnerVerdict | null> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.close();
        resolve(null);
      }, limitMs);
      this.#pending.push((line) => {
        clearTimeout(timer);
        if (line === null) reject(new MaestroError("internal", `mutant-runner stopped: ${this.#stderr.trim() || "no reason given"}`));
        else resolve(JSON.parse(line) as RunnerVerdict);
      });
      this.#child.stdin.write(`${JSON.stringify({ file, source: source.toString("utf8") })}\n`);
    });
  }

  close(): void {
    this.#pending.length = 0;
    this.#child.kill("SIGKILL");
  }
}
