// One agent run: model turn → each tool call through the mediator → results back to the model, until done, out of turns or out of budget.
import { isMaestroError } from "../../common/errors.ts";
import type { ApprovalWait } from "../mediator-client/approval-wait.ts";
import { gatedCall } from "../mediator-client/gated-call.ts";
import type { MediatorClient } from "../mediator-client/mediator-client.ts";
import { checkToolInput } from "../tools/catalogue.ts";
import type { AgentTool, ToolEnv } from "../tools/tool.ts";
import type { Budget } from "./budget.ts";
import type { Provider, ToolResult, ToolUse } from "./provider.ts";

export type AgentState = "starting" | "running" | "waiting_approval" | "done" | "max_turns" | "budget_exhausted" | "failed";

export interface AgentProgress {
  agent: string;
  state: AgentState;
  turns: number;
  toolCalls: number;
  denies: number;
  spentUsd: number;
  lastTool?: string;
}

export interface AgentRunResult extends AgentProgress {
  session: string;
  finalText: string;
  error?: string;
  /** Whether the run-level event (budget exhausted) reached the ledger; false when the server has no route for it. */
  runEventLedgered?: boolean;
  inputTokens: number;
  outputTokens: number;
}

export interface AgentRunOptions {
  runset: string;
  agent: string;
  session: string;
  goal: string;
  system?: string;
  model: string;
  maxTokens?: number;
  maxTurns?: number;
  provider: Provider;
  tools: AgentTool[];
  env: ToolEnv;
  mediator: MediatorClient;
  approval?: ApprovalWait;
  budget: Budget;
  onProgress?: (progress: AgentProgress) => void;
}

export async function runAgent(o: AgentRunOptions): Promise<AgentRunResult> {
  const progress: AgentProgress = { agent: o.agent, state: "starting", turns: 0, toolCalls: 0, denies: 0, spentUsd: 0 };
  const emit = (patch: Partial<AgentProgress>) => {
    Object.assign(progress, patch, { spentUsd: o.budget.spentUsd });
    o.onProgress?.({ ...progress });
  };
  const conversation = o.provider.start({
    model: o.model,
    system: o.system ?? defaultSystem(o),
    goal: o.goal,
    tools: o.tools.map((t) => ({ name: t.name, description: t.description, inputSchema: t.inputSchema })),
    maxTokens: o.maxTokens ?? 4096,
  });
  let finalText = "";
  let results: ToolResult[] = [];
  const finish = async (state: AgentState, error?: string): Promise<AgentRunResult> => {
    emit({ state });
    let runEventLedgered: boolean | undefined;
    if (state === "budget_exhausted") {
      runEventLedgered =
        (await o.mediator.reportRunEvent?.({
          kind: "run.budget_exhausted",
          runId: o.session,
          payload: { runset: o.runset, agent: o.agent, session: o.session, model: o.model, ...o.budget.snapshot() },
        })) ?? false;
    }
    return {
      ...progress,
      session: o.session,
      finalText,
      error,
      runEventLedgered,
      inputTokens: o.budget.inputTokens,
      outputTokens: o.budget.outputTokens,
    };
  };

  try {
    emit({ state: "running" });
    for (let turn = 0; turn < (o.maxTurns ?? 30); turn++) {
      // The policy rule (spent + estimated > cap) applied before paying for another turn.
      if (o.budget.exhausted()) return await finish("budget_exhausted");
      const reply = await conversation.next(results);
      o.budget.charge(reply.usage);
      finalText = reply.text || finalText;
      emit({ turns: progress.turns + 1 });
      if (reply.done) return await finish("done");
      // A turn that already spent the cap does not get its tools run: stop cleanly.
      if (o.budget.capUsd !== null && o.budget.spentUsd >= o.budget.capUsd) return await finish("budget_exhausted");
      results = [];
      for (const use of reply.toolUses) {
        const called = await callTool(o, use, progress, emit);
        results.push(called.result);
        // The server's run-set cap (a policy input) said no: the model cannot fix that, so stop cleanly.
        if (called.budgetDenied) return await finish("budget_exhausted");
      }
    }
    return await finish("max_turns");
  } catch (err) {
    // Mediator down or a provider error after the SDK's own retries: the run stops, no tool runs unmediated.
    return await finish("failed", isMaestroError(err) ? `${err.code}: ${err.message}` : err instanceof Error ? err.message : String(err));
  }
}

interface Called {
  result: ToolResult;
  budgetDenied: boolean;
}

async function callTool(
  o: AgentRunOptions,
  use: ToolUse,
  progress: AgentProgress,
  emit: (p: Partial<AgentProgress>) => void,
): Promise<Called> {
  const error = (content: string): Called => ({ result: { toolUseId: use.id, content, isError: true }, budgetDenied: false });
  const tool = o.tools.find((t) => t.name === use.name);
  if (!tool) return error(`unknown tool "${use.name}"; available: ${o.tools.map((t) => t.name).join(", ")}`);
  if (!use.input) return error(`${use.name}: arguments must be a JSON object`);
  let plan;
  try {
    checkToolInput(tool, use.input);
    plan = tool.plan(use.input, o.env);
  } catch (err) {
    if (isMaestroError(err)) return error(err.message);
    throw err;
  }
  emit({ toolCalls: progress.toolCalls + 1, lastTool: use.name });
  const content = plan.content ?? (await tool.resolveContent?.(use.input, o.env));
  const gated = await gatedCall(
    o.mediator,
    {
      runset: o.runset,
      agent: o.agent,
      session: o.session,
      tool: tool.name,
      capability: tool.capability,
      resource: plan.resource,
      // estimated_usd is the budget policy input's "estimated" (server/mediator reads it from args).
      args: { ...plan.args, estimated_usd: o.budget.estimatedUsd },
      ...(content !== undefined && { content }),
    },
    () => tool.run(use.input, o.env),
    {
      approval: o.approval && {
        wait: (call, pending) => {
          emit({ state: "waiting_approval" });
          return o.approval!.wait(call, pending).finally(() => emit({ state: "running" }));
        },
      },
      onDecision: (d) => {
        if (d.decision !== "allow") emit({ denies: progress.denies + 1 });
      },
      takeCostUsd: () => o.budget.takeUnreported(),
    },
  );
  const budgetDenied = gated.outcome === "denied" && gated.decision.reasons.some((r) => r.code === "budget_exceeded");
  return { result: { toolUseId: use.id, content: gated.content, isError: gated.isError }, budgetDenied };
}

function defaultSystem(o: AgentRunOptions): string {
  return [
    `You are agent "${o.agent}" in Maestro run-set "${o.runset}", working in a git worktree.`,
    "Every tool call is checked against policy before it runs and recorded on a ledger.",
    "If a call is denied, the result says why: change course instead of repeating the same call.",
    "When the goal is met, reply with a short summary and no tool calls.",
  ].join("\n");
}
