// Runs a command in a directory with a timeout and a given environment, keeping the tail of its output (tool results stay small).
import { spawn } from "node:child_process";

export interface ExecResult {
  code: number | null;
  output: string;
  timedOut: boolean;
}

export interface ExecRequest {
  /** argv form; with shell: true, argv[0] is a shell command line. */
  argv: string[];
  cwd: string;
  shell?: boolean;
  stdin?: string;
  /** Added to the base environment the Exec was made with (e.g. MAESTRO_RELEASE_VERSION for a publish). */
  env?: Record<string, string>;
  timeoutMs?: number;
}

export type Exec = (request: ExecRequest) => Promise<ExecResult>;

const MAX_OUTPUT = 16 * 1024;

/**
 * `baseEnv` is the child's whole environment besides request.env: nothing is inherited from the runner's
 * process, whose tokens and keys must not reach code the agent can edit (see tool-process-env.ts).
 */
export function spawnExec(baseEnv: Readonly<Record<string, string>>): Exec {
  return (request) =>
    new Promise((resolve, reject) => {
      const [command, ...rest] = request.argv;
      if (command === undefined) throw new Error("exec needs a command: argv is empty"); // rejects the promise
      const [file, ...args] = request.shell ? ["sh", "-c", command] : [command, ...rest];
      const child = spawn(file, args, {
        cwd: request.cwd,
        env: { ...baseEnv, ...request.env },
        stdio: ["pipe", "pipe", "pipe"],
        detached: true,
      });
      let output = "";
      const keep = (chunk: Buffer) => {
        output = (output + chunk.toString("utf8")).slice(-MAX_OUTPUT);
      };
      child.stdout.on("data", keep);
      child.stderr.on("data", keep);
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        // The whole process group: test runners spawn children that would outlive a plain kill.
        try {
          process.kill(-child.pid!, "SIGKILL");
        } catch {
          child.kill("SIGKILL");
        }
      }, request.timeoutMs ?? 300_000);
      child.on("error", (err) => {
        clearTimeout(timer);
        reject(err);
      });
      child.on("close", (code) => {
        clearTimeout(timer);
        resolve({ code, output, timedOut });
      });
      // A command that exits without reading its input closes the pipe under us: the write fails with EPIPE, which,
      // unheard, would crash the runner. Its exit code and output say what happened; only other errors are ours.
      child.stdin.on("error", (err: NodeJS.ErrnoException) => {
        if (err.code !== "EPIPE") reject(err);
      });
      child.stdin.end(request.stdin ?? "");
    });
}
