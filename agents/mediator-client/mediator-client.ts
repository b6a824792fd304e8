// The contract agents use to reach the mediator: one tool call in, one decision out; the tool's outcome after.
import type { Capability } from "../capabilities.ts";

/** The body of POST /v1/mediate (docs: events.md, "decision" payload.call). */
export interface MediateCall {
  runset: string;
  agent: string;
  session: string;
  tool: string;
  capability: Capability | string;
  resource: string;
  args: Record<string, unknown>;
  /** repo.write: the text written (or the patch), scanned by the server in memory and never ledgered. */
  content?: string;
}

export type DecisionKind = "allow" | "deny" | "require_approval";

export interface Reason {
  code: string;
  message: string;
}

export interface Decision {
  decision: DecisionKind;
  reasons: Reason[];
  decisionId: string;
  ledgerIndex: number;
  policyDigest: string;
}

export type OutcomeStatus = "ok" | "error" | "timeout" | "denied_by_tool";

/**
 * The body of POST /v1/mediate/{decisionId}/outcome. Summaries are redacted and output is hashed; `content`, what the
 * tool read, is scanned by the server in memory and never recorded.
 */
export interface Outcome {
  status: OutcomeStatus;
  summary: string;
  outputDigest: string;
  taint?: { source: string };
  /** Model spend since the previous outcome; the server adds it to the run-set's spent_usd (policy input budget). */
  costUsd?: number;
  /** What the tool read (a file, a command's output, a page), clipped to the server's bound; a secret in it marks the session. */
  content?: string;
}

/** A run-level event the mediator should ledger (run.budget_exhausted, run.finished). */
export interface RunEvent {
  kind: "run.budget_exhausted" | "run.finished";
  runId: string;
  payload: Record<string, unknown>;
}

/** A plain outcome (no taint, no spend) of an earlier call, sent along with the session's next decision. */
export interface PiggybackedOutcome extends Omit<Outcome, "taint" | "costUsd" | "content"> {
  decisionId: string;
}

export interface MediatorClient {
  /** `outcomes` ride in the same request and commit as the decision; only clients with piggybacksOutcomes take them. */
  mediate(call: MediateCall, options?: { outcomes?: PiggybackedOutcome[] }): Promise<Decision>;
  /** True when mediate() sends `outcomes` (POST /v1/mediate's "outcomes" field); others would drop them. */
  readonly piggybacksOutcomes?: boolean;
  recordOutcome(decisionId: string, outcome: Outcome): Promise<{ ledgerIndex: number }>;
  /**
   * Ledgers a run-level event (POST /v1/runs/{runId}/events, role agent). Implementations resolve to
   * false when the server cannot record it (an older server), so callers can say so instead of pretending.
   */
  reportRunEvent?(event: RunEvent): Promise<boolean>;
}

export function reasonText(decision: Pick<Decision, "decision" | "reasons">): string {
  const text = decision.reasons.map((r) => `${r.code}: ${r.message}`).join("; ");
  return text || `policy answered ${decision.decision} without a reason`;
}
