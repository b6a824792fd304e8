// The mediator's vocabulary: a tool call in, the policy input built for it, the decision out.
import type { PolicyDecision, PolicyInput, Reason, Verdict } from "../policy/decision-types.ts";

export const CAPABILITIES = [
  "repo.read",
  "repo.write",
  "tests.run",
  "network.egress",
  "package.install",
  "secrets.read",
  "release.publish",
] as const;
export type Capability = (typeof CAPABILITIES)[number];

export interface ToolCall {
  runset: string;
  agent: string;
  session: string;
  tool: string;
  capability: Capability;
  resource: string;
  args: Record<string, unknown>;
}

export type { PolicyDecision, PolicyInput, Reason };

/** What the mediator decides with: the active policy's engine (server/policy's PolicyEngine implements it). */
export interface PolicyEvaluator {
  evaluateDecision(input: PolicyInput): PolicyDecision;
  readonly digest: string;
  readonly revision: string;
}

export interface MediationResult {
  decision: Verdict;
  allow: boolean;
  reasons: Reason[];
  waivers: string[];
  decisionId: string;
  ledgerIndex: number;
  policyDigest: string;
  /** Where the piggybacked outcomes landed, when the request carried any. */
  outcomes?: Array<{ decisionId: string; ledgerIndex: number }>;
}

export interface Outcome {
  status: "ok" | "error" | "timeout" | "denied_by_tool";
  summary: string;
  outputDigest: string;
  taint?: { source: string };
  costUsd?: number;
}

/** POST /v1/mediate/{id}/outcome's body: the outcome, and what the tool read (scanned, never recorded). */
export interface OutcomeReport extends Outcome {
  content?: string;
}

/** A plain outcome (no taint, no spend) sent along with the session's next POST /v1/mediate. */
export interface PiggybackedOutcome {
  decisionId: string;
  status: Outcome["status"];
  summary: string;
  outputDigest: string;
}
