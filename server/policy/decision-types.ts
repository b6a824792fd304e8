// The policy input and decision document shapes, and the ajv validators that keep a policy's output honest.
// Contract: docs/governance/capabilities.md. A result failing these schemas is treated as a policy error (deny).
import { Ajv } from "ajv";

export type Verdict = "allow" | "deny" | "require_approval";

export interface Reason {
  code: string;
  message: string;
}

export interface PolicyDecision {
  allow: boolean;
  decision: Verdict;
  reasons: Reason[];
  /** Ids of the waivers this decision relied on (empty on deny). */
  waivers: string[];
  obligations: {
    /** Argument fields the mediator must hash before recording the call. */
    secret_fields: string[];
    /** Break-glass entries this decision relied on; their use must be recorded. */
    breakglass?: string[];
    [key: string]: unknown;
  };
}

export interface PolicyCall {
  runset: string;
  agent: string;
  session: string;
  tool: string;
  capability: string;
  resource: string;
  args: Record<string, unknown>;
}

export interface PolicyGrant {
  agent: string;
  runset: string;
  capability: string;
  resource: string;
  approval: "none" | "required";
}

export interface PolicyWaiver {
  id: string;
  capability: string;
  resource: string;
  agents: string[] | null;
  runsets: string[] | null;
  expires_at: string;
  waives: string[];
  /** secret_detected only: the finding fingerprints it lifts; null lifts every finding on the resource. */
  fingerprints?: string[] | null;
  state: string;
}

export interface PolicyHold {
  id: string;
  scope: { type: "release" | "repository" | "all"; id?: string };
  reason: string;
  placed_by: string;
}

export interface PolicyBreakglass {
  id: string;
  opened_by: string;
  expires_at: string;
  scope: { type: "all" | "runset" | "agent"; id?: string; capabilities?: string[] | null };
}

/** The input document the mediator builds for maestro/decision. */
export interface PolicyInput {
  call: PolicyCall;
  /** RFC 3339; the policy compares waiver and break-glass expiry against it. */
  now: string;
  /** secret_sources: secret findings in what the session's tools read ("rule in path line N"); non-empty: holds a secret. */
  session: { tainted: boolean; taint_sources: string[]; secret_sources: string[] };
  budget: { spent_usd: number; cap_usd: number | null; estimated_usd: number };
  grants: PolicyGrant[];
  waivers: PolicyWaiver[];
  holds: PolicyHold[];
  breakglass: PolicyBreakglass[];
  /** The run-set's declared project licence (SPDX expression, split into ids), when it declared one. */
  runset?: { license: string | null; license_ids: string[] };
  /** Facts of the call's `content`, when it carried any (server/content/): digest, size, secret findings; never the text. */
  content?: PolicyContent;
}

export interface PolicyContent {
  bytes: number;
  digest: string;
  findings: Array<{ fingerprint: string; line: number; path: string; rule: string }>;
  /** Findings past the listed ones. */
  unlisted: number;
  /**
   * An npm lock file's packages and their licences as alternatives of SPDX ids; null: not readable as a lock file. On a
   * package.install, `installs` is the installed package as the lock file pins it (null: it does not).
   */
  lockfile?: { packages: PolicyPackage[] | null; installs?: PolicyPackage | null };
}

export interface PolicyPackage {
  name: string;
  version: string;
  licence: string | null;
  alternatives: string[][];
}

/** The input for a call before any data source has spoken: untainted, no budget, no grants, no exceptions. */
export function blankPolicyInput(call: PolicyCall, now: string): PolicyInput {
  return {
    call,
    now,
    session: { tainted: false, taint_sources: [], secret_sources: [] },
    budget: { spent_usd: 0, cap_usd: null, estimated_usd: 0 },
    grants: [],
    waivers: [],
    holds: [],
    breakglass: [],
  };
}

export interface WaiverRule {
  waivable: boolean;
  max_duration_seconds: number;
  approvals_required: number;
}

const stringArray = { type: "array", items: { type: "string" } } as const;

const decisionSchema = {
  type: "object",
  additionalProperties: false,
  required: ["allow", "decision", "reasons", "waivers", "obligations"],
  properties: {
    allow: { type: "boolean" },
    decision: { enum: ["allow", "deny", "require_approval"] },
    reasons: {
      type: "array",
      minItems: 1,
      items: {
        type: "object",
        additionalProperties: false,
        required: ["code", "message"],
        properties: { code: { type: "string", pattern: "^[a-z][a-z0-9_]*$" }, message: { type: "string" } },
      },
    },
    waivers: stringArray,
    obligations: {
      type: "object",
      required: ["secret_fields"],
      properties: { secret_fields: stringArray, breakglass: stringArray },
    },
  },
} as const;

const waiverRuleSchema = {
  type: "object",
  required: ["waivable", "max_duration_seconds", "approvals_required"],
  properties: {
    waivable: { type: "boolean" },
    max_duration_seconds: { type: "integer", minimum: 0 },
    approvals_required: { type: "integer", minimum: 0 },
  },
} as const;

const ajv = new Ajv({ strict: true, allErrors: false });
const validateDecisionSchema = ajv.compile(decisionSchema);
export const validateWaiverRule = ajv.compile<WaiverRule>(waiverRuleSchema);

/** Returns null when `value` is a well-formed decision document, else why not. */
export function decisionProblem(value: unknown): string | null {
  if (!validateDecisionSchema(value)) return ajv.errorsText(validateDecisionSchema.errors);
  const doc = value as PolicyDecision;
  // allow and decision must agree: a document saying allow=true with decision "deny" is a policy bug.
  if (doc.allow !== (doc.decision === "allow")) return "allow and decision disagree";
  return null;
}
