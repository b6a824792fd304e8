// Builds the real ToolEnv for a run: the shell, global fetch, and secrets resolved from named environment variables.
import { spawnExec } from "./exec.ts";
import type { ToolEnv } from "./tool.ts";

export interface ToolEnvOptions {
  workdir: string;
  testCommand?: string;
  /** Secret name → environment variable holding its value (the runset names variables, never values). */
  secrets?: Record<string, string>;
  publishCommand?: string;
  timeoutMs?: number;
}

export function toolEnv(options: ToolEnvOptions, env: NodeJS.ProcessEnv = process.env): ToolEnv {
  const secrets = options.secrets ?? {};
  return {
    workdir: options.workdir,
    exec: spawnExec,
    fetch: (input, init) => fetch(input, init),
    testCommand: options.testCommand ?? "npm test",
    secret: (name) => (Object.hasOwn(secrets, name) ? env[secrets[name]] : undefined),
    publishCommand: options.publishCommand,
    timeoutMs: options.timeoutMs,
  };
}
