// One hook invocation: PreToolUse → mediate and answer allow / deny / ask; PostToolUse → append the outcome of the allowed call.
import { isMaestroError } from "../../common/errors.ts";
import { clip, sha256Digest } from "../mediator/digest.ts";
import { type Decision, type MediatorClient, reasonText } from "../mediator/mediator-client.ts";
import { ledgerArgs, mappedTool, resourcesFor, type ToolMap } from "../mcp/tool-map.ts";
import { type HookInput, sessionId } from "./hook-input.ts";
import { savePending, takePending } from "./hook-state.ts";

export interface HookOptions {
  mediator: MediatorClient;
  map: ToolMap;
  agent: string;
  runset: string;
  stateDir: string;
}

/** Claude Code's PreToolUse decision output (https://docs.anthropic.com/en/docs/claude-code/hooks#pretooluse-decision-control). */
export interface PreToolUseOutput {
  hookSpecificOutput: {
    hookEventName: "PreToolUse";
    permissionDecision: "allow" | "deny" | "ask";
    permissionDecisionReason: string;
  };
}

const PERMISSION = { allow: "allow", deny: "deny", require_approval: "ask" } as const;

function pre(permission: "allow" | "deny" | "ask", reason: string): PreToolUseOutput {
  return { hookSpecificOutput: { hookEventName: "PreToolUse", permissionDecision: permission, permissionDecisionReason: `Maestro: ${reason}` } };
}

/** Throws (→ exit 2, fail closed) when the mediator cannot be reached or answers badly. */
export async function handleHook(input: HookInput, o: HookOptions): Promise<PreToolUseOutput | Record<string, never>> {
  return input.hook_event_name === "PreToolUse" ? preToolUse(input, o) : postToolUse(input, o);
}

async function preToolUse(input: HookInput, o: HookOptions): Promise<PreToolUseOutput> {
  const tool = mappedTool(o.map, input.tool_name);
  if (!tool) return pre("deny", `tool ${input.tool_name} is not in the tool map, so no policy can allow it`);
  let resources: string[];
  try {
    // Claude Code resolves relative paths (and Grep/Glob without a path) from its cwd.
    resources = resourcesFor({ ...o.map, root: o.map.root ?? input.cwd }, tool, input.tool_input, input.cwd);
  } catch (err) {
    if (isMaestroError(err)) return pre("deny", err.message);
    throw err;
  }
  const session = sessionId(input.session_id);
  const decisions: Decision[] = [];
  // One decision per resource (a Codex patch may touch several files); all must allow.
  for (const resource of resources) {
    decisions.push(
      await o.mediator.mediate({ runset: o.runset, agent: o.agent, session, tool: input.tool_name, capability: tool.capability, resource, args: ledgerArgs(input.tool_input, tool) }),
    );
  }
  const verdict = decisions.some((d) => d.decision === "deny") ? "deny" : decisions.some((d) => d.decision === "require_approval") ? "require_approval" : "allow";
  await savePending(o.stateDir, input, {
    decisionIds: decisions.filter((d) => d.decision === "allow").map((d) => d.decisionId),
    decision: verdict,
    resources,
    taints: tool.taints === true,
  });
  const reason = decisions
    .filter((d) => d.decision === verdict)
    .map((d) => reasonText(d))
    .join("; ");
  return pre(PERMISSION[verdict], reason);
}

async function postToolUse(input: HookInput, o: HookOptions): Promise<Record<string, never>> {
  const pending = await takePending(o.stateDir, input);
  // Only allowed decisions take an outcome (the server refuses others); a call approved locally after "ask" has none.
  if (!pending || pending.decision !== "allow") return {};
  const response = input.tool_response ?? input.tool_output ?? null;
  const failed = isFailure(response);
  for (const [i, decisionId] of pending.decisionIds.entries()) {
    await o.mediator.recordOutcome(decisionId, {
      status: failed ? "error" : "ok",
      summary: clip(`${input.tool_name} on ${pending.resources[i] ?? pending.resources[0]}: ${failed ? "error" : "ok"}`),
      outputDigest: sha256Digest(JSON.stringify(response)),
      ...(pending.taints ? { taint: { source: `${input.tool_name}:${pending.resources[i] ?? pending.resources[0]}` } } : {}),
    });
  }
  return {};
}

function isFailure(response: unknown): boolean {
  if (typeof response !== "object" || response === null) return false;
  const r = response as Record<string, unknown>;
  return r.is_error === true || r.success === false || r.interrupted === true || (typeof r.exit_code === "number" && r.exit_code !== 0);
}
