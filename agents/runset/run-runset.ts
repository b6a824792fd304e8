// Runs every agent of a run-set under a concurrency limit: worktree → mediated agent run → mediated final tests → commit, clean up.
import { randomBytes } from "node:crypto";
import type { Clock } from "../../common/clock.ts";
import { isMaestroError } from "../../common/errors.ts";
import { pollApproval } from "../mediator-client/approval-wait.ts";
import { gatedCall } from "../mediator-client/gated-call.ts";
import type { MediatorClient } from "../mediator-client/mediator-client.ts";
import { type AgentProgress, type AgentRunResult, runAgent } from "../runner/agent-runner.ts";
import { Budget } from "../runner/budget.ts";
import { DEFAULT_PRICES, priceFor } from "../runner/price-table.ts";
import type { Provider } from "../runner/provider.ts";
import { createProvider } from "../runner/providers.ts";
import { runTestsTool } from "../tools/command-tools.ts";
import { toolsNamed } from "../tools/catalogue.ts";
import { toolEnv } from "../tools/tool-env.ts";
import { mapLimit } from "./concurrency.ts";
import type { LoadedRunset, RunsetAgent } from "./runset-file.ts";
import { createWorktree, type FinishedWorktree, finishWorktree, type Worktree } from "./worktree.ts";

export interface RunsetProgress extends AgentProgress {
  phase: "queued" | "agent" | "tests" | "cleanup" | "finished";
}

export interface AgentReport extends Omit<AgentRunResult, "state"> {
  state: AgentRunResult["state"];
  success: boolean;
  branch?: FinishedWorktree;
  tests?: { status: "ok" | "error" | "denied"; summary: string };
}

export interface RunsetReport {
  runId: string;
  runset: string;
  success: boolean;
  agents: AgentReport[];
}

export interface RunRunsetOptions {
  runset: LoadedRunset;
  mediator: MediatorClient;
  /** Defaults to the SDK adapter the agent names (API key from the environment). */
  providerFor?: (agent: RunsetAgent) => Provider;
  env?: NodeJS.ProcessEnv;
  onProgress?: (progress: RunsetProgress) => void;
  worktreeRoot?: string;
  runId?: string;
  clock?: Clock;
  sleep?: (ms: number) => Promise<void>;
}

export async function runRunset(o: RunRunsetOptions): Promise<RunsetReport> {
  const runId = o.runId ?? `${Date.now().toString(36)}${randomBytes(3).toString("hex")}`;
  const prices = { ...DEFAULT_PRICES, ...o.runset.prices };
  // Every model must have a price before anything runs: spend that cannot be counted cannot be capped.
  for (const agent of o.runset.agents) priceFor(prices, agent.model);
  for (const agent of o.runset.agents) o.onProgress?.({ ...zero(agent.name), phase: "queued" });
  const approval = pollApproval(o.mediator, {
    intervalMs: (o.runset.approval?.poll_seconds ?? 5) * 1000,
    timeoutMs: (o.runset.approval?.timeout_seconds ?? 600) * 1000,
    clock: o.clock,
    sleep: o.sleep,
  });

  const agents = await mapLimit(o.runset.agents, o.runset.concurrency ?? 4, async (agent): Promise<AgentReport> => {
    const session = `${agent.name}-${runId}`.replace(/[^\w.:-]/g, "_");
    let last: AgentProgress = zero(agent.name);
    const report = (phase: RunsetProgress["phase"], patch: Partial<AgentProgress> = {}) => {
      last = { ...last, ...patch };
      o.onProgress?.({ ...last, phase });
    };
    const codeChanging = agent.code_changing ?? true;
    let worktree: Worktree | undefined;
    let result: AgentRunResult | undefined;
    let tests: AgentReport["tests"];
    let branch: FinishedWorktree | undefined;
    const budget = new Budget(priceFor(prices, agent.model), agent.budget_usd ?? null);
    try {
      if (codeChanging)
        worktree = await createWorktree(
          o.runset.repoPath,
          `maestro/${o.runset.name}/${agent.name}-${runId}`,
          o.runset.base,
          o.worktreeRoot,
        );
      const env = toolEnv(
        {
          workdir: worktree?.path ?? o.runset.repoPath,
          testCommand: agent.tests?.command,
          secrets: agent.secrets,
          publishCommand: agent.publish_command,
          timeoutMs: agent.tests?.timeout_seconds ? agent.tests.timeout_seconds * 1000 : undefined,
        },
        o.env,
      );
      result = await runAgent({
        runset: o.runset.name,
        agent: agent.name,
        session,
        goal: agent.goal,
        system: agent.system,
        model: agent.model,
        maxTokens: agent.max_tokens,
        maxTurns: agent.max_turns,
        provider: o.providerFor?.(agent) ?? createProvider(agent.provider, { baseURL: agent.base_url }, o.env),
        tools: toolsNamed(agent.tools),
        env,
        mediator: o.mediator,
        approval,
        budget,
        onProgress: (p) => report("agent", p),
      });
      if (worktree && agent.tests && result.state !== "failed") {
        report("tests");
        // The final test run is itself a mediated tests.run call: its outcome (ok = passed) is the evidence.
        const plan = runTestsTool.plan({}, env);
        const gated = await gatedCall(
          o.mediator,
          {
            runset: o.runset.name,
            agent: agent.name,
            session,
            tool: "run_tests",
            capability: "tests.run",
            resource: plan.resource,
            args: { ...plan.args, final: true },
          },
          () => runTestsTool.run({}, env),
          { takeCostUsd: () => budget.takeUnreported() },
        );
        tests =
          gated.outcome === "ran"
            ? { status: gated.run!.status, summary: gated.run!.summary }
            : { status: "denied", summary: gated.content };
      }
    } catch (err) {
      const message = isMaestroError(err) ? `${err.code}: ${err.message}` : err instanceof Error ? err.message : String(err);
      result = {
        ...(result ?? { ...last, session, finalText: "", inputTokens: budget.inputTokens, outputTokens: budget.outputTokens }),
        state: "failed",
        error: message,
      };
    } finally {
      if (worktree) {
        report("cleanup");
        branch = await finishWorktree(
          o.runset.repoPath,
          worktree,
          `maestro: ${agent.name} in run-set ${o.runset.name} (run ${runId})`,
        ).catch(() => undefined);
      }
    }
    const success =
      result.state === "done" &&
      (!agent.success?.tests_pass || tests?.status === "ok") &&
      (agent.success?.max_denies === undefined || result.denies <= agent.success.max_denies);
    report("finished", { state: result.state });
    return { ...result, success, branch, tests };
  });
  return { runId, runset: o.runset.name, success: agents.every((a) => a.success), agents };
}

function zero(agent: string): AgentProgress {
  return { agent, state: "starting", turns: 0, toolCalls: 0, denies: 0, spentUsd: 0 };
}
