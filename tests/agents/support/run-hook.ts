// Runs `maestro hook <flavour>` as a coding agent does (the event as JSON on stdin, the decision on stdout), or any other maestro command.
import { spawn } from "node:child_process";

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runMaestro(args: string[], env: Record<string, string>, stdin = ""): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["cli/main.ts", ...args], { env: { ...process.env, ...env }, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

export function runHook(flavour: string, stdin: string, env: Record<string, string>, args: string[] = []): Promise<CliResult> {
  return runMaestro(["hook", flavour, ...args], env, stdin);
}
