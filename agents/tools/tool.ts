// What a built-in tool is: a schema the model sees, the capability and resource it means, and the code that runs it on allow.
import type { Capability } from "../capabilities.ts";
import type { ToolRun } from "../mediator-client/gated-call.ts";
import type { Exec } from "./exec.ts";

/** Everything a tool may touch, injected so tests swap the network and the shell. */
export interface ToolEnv {
  /** The agent's worktree (or the repository itself for read-only agents). */
  workdir: string;
  /** Subprocesses get an allow-listed environment, never the runner's tokens or keys (tool-process-env.ts). */
  exec: Exec;
  fetch: typeof fetch;
  /** Default test command for run_tests. */
  testCommand: string;
  /** Secret name → value lookup (values come from the environment; never ledgered). */
  secret(name: string): string | undefined;
  /**
   * Command that publishes a release; MAESTRO_RELEASE_REPOSITORY / _VERSION are set for it, on top of the
   * allow-listed environment only: it runs in the agent's worktree, so it must fetch its own credentials
   * (the runner's environment no longer hands them to code the agent can edit).
   */
  publishCommand?: string;
  timeoutMs?: number;
}

/** How a call is presented to the mediator: the resource, and args safe to ledger (content hashed, not copied). */
export interface ToolPlan {
  resource: string;
  args: Record<string, unknown>;
  /** The text a write puts into the repository (file or patch): the server scans it for secrets and keeps only facts. */
  content?: string;
}

export interface AgentTool<A = any> {
  name: string;
  description: string;
  /** JSON Schema for the model's input (Anthropic input_schema, OpenAI function parameters). */
  inputSchema: Record<string, unknown>;
  capability: Capability;
  /** Throws MaestroError(invalid_field) on input the tool cannot mean safely (e.g. a path outside the worktree). */
  plan(args: A, env: ToolEnv): ToolPlan;
  /**
   * Content the server should judge with the call that only work can produce, done before the decision (install_package:
   * the lock file npm is about to write, so the licence policy can check what the install brings). Undefined when it
   * cannot be had: the call is then decided without it, as a client that sends none.
   */
  resolveContent?(args: A, env: ToolEnv): Promise<string | undefined>;
  run(args: A, env: ToolEnv): Promise<ToolRun>;
}
