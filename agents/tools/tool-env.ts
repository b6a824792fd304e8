// Builds the real ToolEnv for a run: the shell (with an allow-listed environment), global fetch, and secrets resolved from named environment variables.
import { spawnExec } from "./exec.ts";
import type { ToolEnv } from "./tool.ts";
import { toolProcessEnv } from "./tool-process-env.ts";

export interface ToolEnvOptions {
  workdir: string;
  testCommand?: string;
  /** Secret name → environment variable holding its value (the runset names variables, never values). */
  secrets?: Record<string, string>;
  publishCommand?: string;
  timeoutMs?: number;
}

/**
 * `env` is where secrets are looked up. Subprocesses start from the allow-listed part of this process's
 * own environment (the one they used to inherit whole), whatever `env` a caller passes for secrets.
 */
export function toolEnv(options: ToolEnvOptions, env: NodeJS.ProcessEnv = process.env): ToolEnv {
  const secrets = options.secrets ?? {};
  return {
    workdir: options.workdir,
    exec: spawnExec(toolProcessEnv(process.env)),
    fetch: (input, init) => fetch(input, init),
    testCommand: options.testCommand ?? "npm test",
    secret: (name) => {
      const variable = Object.hasOwn(secrets, name) ? secrets[name] : undefined;
      return variable === undefined ? undefined : env[variable];
    },
    publishCommand: options.publishCommand,
    timeoutMs: options.timeoutMs,
  };
}
