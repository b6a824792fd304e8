// The mediator's vocabulary: a tool call in, the policy input built for it, the decision out.

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

export interface Reason {
  code: string;
  message: string;
}

export type DecisionKind = "allow" | "deny" | "require_approval";

/** The decision document the Rego entrypoint `maestro/decision` returns (see policies/rego). */
export interface PolicyDecision {
  allow: boolean;
  decision: DecisionKind;
  reasons: Reason[];
  waivers: string[];
  obligations: { secret_fields?: string[]; [key: string]: unknown };
  breakglass?: string[];
}

export interface Grant {
  agent: string;
  runset: string;
  capability: string;
  resource: string;
  approval: "none" | "required";
}

/** The policy input document; its shape is fixed with policies/rego (docs/governance/capabilities.md). */
export interface PolicyInput {
  call: ToolCall;
  now: string;
  session: { tainted: boolean; taint_sources: string[] };
  budget: { spent_usd: number; cap_usd: number | null; estimated_usd: number };
  grants: Grant[];
  waivers: unknown[];
  holds: unknown[];
  breakglass: unknown[];
}

/** What the policy engine must offer the mediator (server/policy implements it). */
export interface DecisionPolicy {
  evaluateDecision(input: PolicyInput): PolicyDecision;
  readonly digest: string;
  readonly revision: string;
}

export interface MediationResult {
  decision: DecisionKind;
  allow: boolean;
  reasons: Reason[];
  waivers: string[];
  decisionId: string;
  ledgerIndex: number;
  policyDigest: string;
}

export interface Outcome {
  status: "ok" | "error" | "timeout" | "denied_by_tool";
  summary: string;
  outputDigest: string;
  taint?: { source: string };
  costUsd?: number;
}
