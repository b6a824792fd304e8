// Where waiver limits come from: the active policy's `maestro/waiver_rules` entrypoint, per capability.
import type { WaiverRule } from "../../policy/index.ts";

export type { WaiverRule };

/** The policy side of waivers; server/compose.ts wires it to the active policy (PolicyHolder.waiverRules). */
export interface WaiverRules {
  rulesFor(capability: string): WaiverRule | Promise<WaiverRule>;
}

/** Reads the rules from whatever policy is active at request time, so a bundle swap takes effect at once. */
export function policyWaiverRules(policy: { waiverRules(capability: string): WaiverRule }): WaiverRules {
  return { rulesFor: (capability) => policy.waiverRules(capability) };
}

/** Fixed rules, for tests and tools that run without a policy bundle. */
export function staticWaiverRules(table: Record<string, WaiverRule>): WaiverRules {
  const none: WaiverRule = { waivable: false, max_duration_seconds: 0, approvals_required: 0 };
  return { rulesFor: (capability) => (Object.hasOwn(table, capability) ? (table[capability] ?? none) : none) };
}
