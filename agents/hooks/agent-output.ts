// What each agent must read to enforce a Maestro verdict: stdout, stderr and exit status per agent (the table in docs/governance/agents.md).
import type { Decision } from "../mediator-client/mediator-client.ts";
import { reasonText } from "../mediator-client/mediator-client.ts";
import type { CodingAgent } from "./tool-table.ts";
import { itemAt } from "../../common/present.ts";

/** Whether a Maestro allow also skips the agent's own permission prompt (authoritative) or leaves it in place (narrow). */
export type AllowMode = "narrow" | "authoritative";

export interface HookResult {
  stdout: string;
  stderr: string;
  exitCode: 0 | 2;
}

export const NO_DECISION: HookResult = { stdout: "", stderr: "", exitCode: 0 };

/** The PreToolUse decision both agents read (Claude Code hooks reference; Codex output_parser.rs parse_pre_tool_use). */
function permission(decision: "allow" | "deny", reason: string): HookResult {
  const output = {
    hookSpecificOutput: { hookEventName: "PreToolUse", permissionDecision: decision, permissionDecisionReason: `Maestro: ${reason}` },
  };
  return { stdout: `${JSON.stringify(output)}\n`, stderr: "", exitCode: 0 };
}

export function denied(reason: string): HookResult {
  return permission("deny", reason);
}

/**
 * - allow: Codex accepts no `allow` without `updatedInput` (it logs a failed hook and runs the call under its own
 *   policy), so it gets no output. Claude Code gets `allow` only when Maestro is authoritative, because that skips
 *   the user's permission prompt (deny and ask rules still apply); narrow (the default) prints nothing, so the user's
 *   own settings decide whether to prompt.
 * - deny: `permissionDecision: deny` with the reason, which both agents enforce and show the model.
 * - require_approval: a deny whose reason says how to get the approval. Codex treats `ask` as a failed hook (the call
 *   then runs under Codex's policy, with nobody asked under --full-auto); Claude Code's `ask` would let the person at
 *   the keyboard approve instead of a Maestro approver, with nothing on the ledger. Once a waiver lifts each
 *   approval reason (approval_required, licence_unknown, session_holds_secret), the retried call is allowed.
 */
export function verdictOutput(
  agent: CodingAgent,
  mode: AllowMode,
  decisions: Decision[],
  call: { capability: string; agent: string; runset: string },
  resources: string[],
): HookResult {
  const deny = decisions.filter((d) => d.decision === "deny");
  if (deny.length > 0) return denied(deny.map((d) => reasonText(d)).join("; "));
  // One decision per resource, in the order the resources were mediated.
  const pending = decisions
    .map((d, i) => ({ d, resource: itemAt(resources, i, "mediated resources") }))
    .filter(({ d }) => d.decision === "require_approval");
  if (pending.length > 0) {
    const what = pending
      .map(({ d, resource }) => `${call.capability} on ${resource} (decision ${d.decisionId}: ${reasonText(d)})`)
      .join("; ");
    const how = pending
      .map(
        ({ d, resource }) =>
          `maestro waiver request --capability ${call.capability} --resource ${shellQuote(resource)} --agent ${shellQuote(call.agent)} --runset ${shellQuote(call.runset)} --waives ${approvalCodes(d)} --justification '…' --duration 1h`,
      )
      .join(" ; ");
    return denied(
      `approval required for ${what}. To get it, an engineer requests a waiver (${how}) and a security approver runs maestro waiver approve WAIVER_ID; then retry the same call.`,
    );
  }
  if (agent === "claude-code" && mode === "authoritative") return permission("allow", decisions.map((d) => reasonText(d)).join("; "));
  return NO_DECISION;
}

/** Reasons that ask for a person, each lifted only by a waiver naming it (docs/governance/capabilities.md#reason-codes). */
const APPROVAL_CODES = ["approval_required", "licence_unknown", "session_holds_secret"];

/** What a waiver must name to lift this decision's approval: the approval reasons it gives (approval_required if none). */
function approvalCodes(decision: Decision): string {
  const codes = APPROVAL_CODES.filter((code) => decision.reasons.some((r) => r.code === code));
  return codes.length > 0 ? codes.join(",") : "approval_required";
}

/** Maestro could not decide: exit 2 is the one status both agents treat as a block, with stderr as the reason. */
export function blocked(message: string): HookResult {
  return { stdout: "", stderr: `maestro hook: blocked, Maestro could not decide: ${message}\n`, exitCode: 2 };
}

/** After the call: a warning both agents show the user (`systemMessage`), never a block of a call that already ran. */
export function warning(message: string): HookResult {
  return { stdout: `${JSON.stringify({ systemMessage: `Maestro: ${message}` })}\n`, stderr: "", exitCode: 0 };
}

export function shellQuote(value: string): string {
  return /^[\w./:@%+=,-]+$/.test(value) ? value : `'${value.replaceAll("'", `'\\''`)}'`;
}
