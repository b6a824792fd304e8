// One hook invocation, top to bottom: send outcomes still owed → SessionStart pins the root | PreToolUse mediates | PostToolUse(Failure) records the outcome.
import { isAbsolute, parse } from "node:path";
import { clipContent } from "../../common/content-limit.ts";
import { isMaestroError } from "../../common/errors.ts";
import { clip, sha256Digest } from "../mediator-client/digest.ts";
import { readText } from "../mediator-client/read-text.ts";
import type { Decision, MediatorClient, Outcome } from "../mediator-client/mediator-client.ts";
import { ledgerArgs, mappedTool, resourcesFor, type ToolMap, writtenContent } from "../mcp/tool-map.ts";
import { type AllowMode, blocked, denied, type HookResult, NO_DECISION, verdictOutput, warning } from "./agent-output.ts";
import { type HookInput, sessionId, type SessionStartInput, type ToolInput } from "./hook-input.ts";
import type { HookState, PendingCall } from "./hook-state.ts";
import { outcomeNote, outcomeStatus } from "./tool-outcome.ts";
import { type CodingAgent, noDecisionReason } from "./tool-table.ts";
import { itemAt } from "../../common/present.ts";

export interface HookOptions {
  flavour: CodingAgent;
  mediator: MediatorClient;
  /** The server the decisions live on: outcomes owed are retried only against it. */
  url: string;
  map: ToolMap;
  agent: string;
  runset: string;
  state: HookState;
  /** A configured repository root (--root, or the map's root); else the one SessionStart pinned. */
  root?: string;
  allow: AllowMode;
}

/** At most this many owed outcomes ride along one hook call, so a backlog cannot eat the call's deadline. */
const RETRY_BATCH = 16;

/** Throws (→ exit 2, fail closed) when the mediator cannot be reached or answers badly before a decision. */
export async function handleHook(input: HookInput, o: HookOptions): Promise<HookResult> {
  const owed = await sendOwedOutcomes(o);
  switch (input.hook_event_name) {
    case "SessionStart":
      return sessionStart(input, o);
    case "PreToolUse":
      return preToolUse(input, o);
    default: {
      const result = await postToolUse(input, o);
      return owed.length > 0 && result === NO_DECISION ? warning(owed.join("; ")) : result;
    }
  }
}

async function sessionStart(input: SessionStartInput, o: HookOptions): Promise<HookResult> {
  const root = o.root ?? input.cwd;
  // A session started at the filesystem root would make every path "in the repository".
  if (!isAbsolute(root) || parse(root).root === root)
    return blocked(`refusing to pin ${root} as the repository root: start the agent in the repository or install with --root`);
  await o.state.pinRoot(input.session_id, root);
  return NO_DECISION;
}

async function preToolUse(input: ToolInput, o: HookOptions): Promise<HookResult> {
  if (noDecisionReason(o.flavour, input.tool_name) !== undefined && !Object.hasOwn(o.map.tools, input.tool_name)) return NO_DECISION;
  const tool = mappedTool(o.map, input.tool_name);
  if (!tool) return denied(`tool ${input.tool_name} is not in the tool map, so no policy can allow it`);
  const root = o.root ?? (await o.state.pinnedRoot(input.session_id));
  if (!root)
    return denied(
      `no repository root is pinned for session ${input.session_id}: the SessionStart hook did not run (reinstall with maestro hook install, or configure --root), so paths cannot be decided`,
    );
  let resources: string[];
  try {
    // Relative paths resolve from the agent's cwd, as the agent resolves them; the pinned root bounds where they may lead.
    resources = resourcesFor({ ...o.map, root }, tool, input.tool_input, input.cwd);
  } catch (err) {
    if (isMaestroError(err)) return denied(err.message);
    throw err;
  }
  const session = sessionId(input.session_id);
  const written = writtenContent(input.tool_input, tool);
  const decisions: Decision[] = [];
  // One decision per resource (a Codex patch may touch several files); all must allow.
  for (const resource of resources) {
    decisions.push(
      await o.mediator.mediate({
        runset: o.runset,
        agent: o.agent,
        session,
        tool: input.tool_name,
        capability: tool.capability,
        resource,
        args: { ...ledgerArgs(input.tool_input, tool), ...(written?.patchDigest && { patchDigest: written.patchDigest }) },
        ...(written && { content: written.content }),
      }),
    );
  }
  if (decisions.every((d) => d.decision === "allow")) {
    await o.state.savePending(input, {
      url: o.url,
      agent: o.agent,
      createdAt: Date.now(),
      tool: input.tool_name,
      decisionIds: decisions.map((d) => d.decisionId),
      resources,
      taints: tool.taints === true,
      reads: tool.capability !== "repo.write",
    });
  }
  return verdictOutput(o.flavour, o.allow, decisions, { capability: tool.capability, agent: o.agent, runset: o.runset }, resources);
}

async function postToolUse(input: ToolInput, o: HookOptions): Promise<HookResult> {
  const found = await o.state.pendingFor(input);
  // Only allowed calls have a record (the server refuses outcomes of others).
  if (!found) return NO_DECISION;
  const status = outcomeStatus(input);
  const note = outcomeNote(input);
  const output = sha256Digest(
    JSON.stringify(input.hook_event_name === "PostToolUseFailure" ? { error: input.error ?? null } : (input.tool_response ?? null)),
  );
  const read = found.pending.reads === true && input.hook_event_name === "PostToolUse" ? readText(input.tool_response) : "";
  const pending: PendingCall = {
    ...found.pending,
    outcomes: found.pending.decisionIds.map((_, i) => {
      const resource = found.pending.resources[i] ?? found.pending.resources[0];
      const outcome: Outcome = { status, summary: clip(`${input.tool_name} on ${resource}: ${note}`), outputDigest: output };
      // What was read goes once, with the first decision's outcome: the server scans it and keeps only the findings.
      if (i === 0 && read !== "") outcome.content = clipContent(read);
      return found.pending.taints ? { ...outcome, taint: { source: `${input.tool_name}:${resource}` } } : outcome;
    }),
  };
  // Written before sending: if the server is down now, the next hook call sends it.
  await o.state.update(found.file, pending);
  const sent = await sendOutcomes(found.file, pending, o);
  return sent.problem ? warning(sent.problem) : NO_DECISION;
}

/** Outcomes recorded earlier whose sending failed; returns what could not be sent (for a warning). */
async function sendOwedOutcomes(o: HookOptions): Promise<string[]> {
  const problems: string[] = [];
  for (const { file, pending } of (await o.state.unsent(o.url, o.agent)).slice(0, RETRY_BATCH)) {
    const sent = await sendOutcomes(file, pending, o);
    if (sent.problem) problems.push(sent.problem);
    // The server is unreachable: the rest would fail the same way and only spend the deadline.
    if (sent.kept) break;
  }
  return problems;
}

/**
 * Sends each outcome not yet acknowledged; the record goes only once the server took all of them. A 409 "already has
 * an outcome" is an acknowledgement that was lost on the way back; any other refusal will not change on a retry, so
 * that record is dropped with a warning. Network errors and 5xx keep it for the next hook call.
 */
async function sendOutcomes(file: string, pending: PendingCall, o: HookOptions): Promise<{ problem?: string; kept?: true }> {
  const outcomes = pending.outcomes ?? [];
  let acked = pending.acked ?? 0;
  for (; acked < outcomes.length; acked++) {
    const decisionId = pending.decisionIds[acked];
    // A record whose outcomes outnumber its decisions was edited: the server would refuse an outcome for no decision.
    if (decisionId === undefined) {
      await o.state.remove(file);
      return { problem: `outcome of ${pending.tool} names no decision (the pending record is malformed), not recorded` };
    }
    try {
      await o.mediator.recordOutcome(decisionId, itemAt(outcomes, acked, "the pending call's outcomes"));
    } catch (err) {
      if (isMaestroError(err) && err.code === "conflict" && /already has an outcome/.test(err.message)) continue;
      if (isMaestroError(err) && err.status >= 400 && err.status < 500) {
        await o.state.remove(file);
        return { problem: `outcome of ${pending.tool} (decision ${pending.decisionIds[acked]}) refused, not recorded: ${err.message}` };
      }
      await o.state.update(file, { ...pending, acked });
      return {
        kept: true,
        problem: `outcome of ${pending.tool} not recorded yet (${err instanceof Error ? err.message : String(err)}); kept, it is sent with the next hook call`,
      };
    }
  }
  await o.state.remove(file);
  return {};
}
