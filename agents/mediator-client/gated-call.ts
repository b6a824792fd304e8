// The one path every tool call takes: mediate → (wait for approval) → run only on allow → append the outcome.
import { clipContent } from "../../common/content-limit.ts";
import type { ApprovalWait } from "./approval-wait.ts";
import { clip, sha256Digest } from "./digest.ts";
import { type Decision, type MediateCall, type MediatorClient, reasonText } from "./mediator-client.ts";

/** What a tool produced: content for the model, a redacted summary for the ledger. */
export interface ToolRun {
  status: "ok" | "error";
  /** Returned to the model; may hold a secret value (read_secret), so it never goes to the ledger. */
  content: string;
  /** Ledgered: must not contain secret values. */
  summary: string;
  /** Overrides the digest input (e.g. a salted secret) when hashing content alone would leak it. */
  digest?: string;
  taint?: { source: string };
  /** The text the tool read, for the server's secret scan, when `content` is not it (an MCP result's JSON). */
  read?: string;
}

export interface GatedResult {
  outcome: "ran" | "denied" | "approval_timeout" | "cancelled";
  decision: Decision;
  /** What the model sees: the tool's content, or the deny reason so it can change course. */
  content: string;
  isError: boolean;
  run?: ToolRun;
}

export interface GateOptions {
  approval?: ApprovalWait;
  /** Called once the decision is final, before the tool runs (progress counters). */
  onDecision?: (decision: Decision) => void;
  /** Model spend not yet reported; sent as the outcome's costUsd so the server's run-set spend (a policy input) stays current. */
  takeCostUsd?: () => number;
  /** Fires when the caller gives up (an MCP client's cancel or request timeout): from then on the tool is never started. */
  signal?: AbortSignal;
}

/** The ledgered summary of an allowed call whose caller gave up before the tool started. */
export const CANCELLED_SUMMARY = "not run: the caller cancelled the call before the tool started";

export async function gatedCall(
  mediator: MediatorClient,
  call: MediateCall,
  run: () => Promise<ToolRun>,
  options: GateOptions = {},
): Promise<GatedResult> {
  const { signal } = options;
  // Given up before anything was asked: nothing decided, nothing to record.
  signal?.throwIfAborted();
  let decision = await mediator.mediate(call);
  if (decision.decision === "require_approval") {
    if (!options.approval) {
      options.onDecision?.(decision);
      return denied(decision, `approval required and this agent cannot wait for one (${reasonText(decision)})`);
    }
    const pending = decision;
    const waited = await options.approval.wait(call, pending, signal);
    if (waited === "timeout") {
      // No outcome: the server accepts outcomes only for allowed decisions, and the tool never ran.
      options.onDecision?.(pending);
      return {
        outcome: "approval_timeout",
        decision: pending,
        content: `Denied by Maestro: approval was not given in time (${reasonText(pending)})`,
        isError: true,
      };
    }
    if (waited === "cancelled") {
      // No outcome either: the decision on record is still require_approval.
      options.onDecision?.(pending);
      return {
        outcome: "cancelled",
        decision: pending,
        content: `Cancelled: the caller gave up while approval was pending (${reasonText(pending)})`,
        isError: true,
      };
    }
    decision = waited;
  }
  options.onDecision?.(decision);
  if (decision.decision !== "allow") return denied(decision, reasonText(decision));
  if (signal?.aborted) {
    // Allowed (often by an approval that came after the caller's own timeout), but the caller has already reported the
    // call as failed: a write landing now would be one nobody is waiting for. The outcome says the tool did not run;
    // an allowed decision without one would read as a tool that ran and whose outcome was lost.
    await mediator.recordOutcome(decision.decisionId, {
      status: "error",
      summary: CANCELLED_SUMMARY,
      outputDigest: sha256Digest(""),
      ...costField(options.takeCostUsd?.()),
    });
    return { outcome: "cancelled", decision, content: `Cancelled: ${CANCELLED_SUMMARY}`, isError: true };
  }

  let result: ToolRun;
  try {
    result = await run();
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    result = { status: "error", content: `tool failed: ${message}`, summary: clip(`tool failed: ${message}`) };
  }
  await mediator.recordOutcome(decision.decisionId, {
    status: result.status,
    summary: clip(result.summary),
    outputDigest: sha256Digest(result.digest ?? result.content),
    ...(result.taint ? { taint: result.taint } : {}),
    ...costField(options.takeCostUsd?.()),
    ...readContent(call, result),
  });
  return { outcome: "ran", decision, content: result.content, isError: result.status === "error", run: result };
}

/**
 * What the tool read, for the server to scan (a secret in it marks the session, issue #24). A write's text was scanned
 * before it ran; content whose digest the tool overrides is a secret it hides (read_secret) and is never sent.
 */
function readContent(call: MediateCall, result: ToolRun): { content?: string } {
  const read = result.read ?? result.content;
  if (call.capability === "repo.write" || result.digest !== undefined || read === "") return {};
  return { content: clipContent(read) };
}

function denied(decision: Decision, why: string): GatedResult {
  return { outcome: "denied", decision, content: `Denied by Maestro policy: ${why}`, isError: true };
}

function costField(cost: number | undefined): { costUsd?: number } {
  return cost && cost > 0 ? { costUsd: Math.round(cost * 1e9) / 1e9 } : {};
}
