// Assembles the policy input for one call from pluggable providers (grants, session taint, budget, waivers, holds, break-glass).
import type { Transaction } from "kysely";
import type { PolicyDecision, PolicyInput, ToolCall } from "./types.ts";

export type InputPart = Partial<Pick<PolicyInput, "grants" | "waivers" | "holds" | "breakglass" | "session" | "budget">>;

/** A source of policy data, e.g. the waiver service contributing active waivers. */
export interface PolicyInputProvider {
  name: string;
  provide(call: ToolCall, now: Date): Promise<InputPart>;
}

/**
 * Runs inside the decision's append transaction, e.g. to count a cited waiver's uses. Called only for
 * decisions that cite a waiver or a break-glass (decision.waivers / obligations.breakglass non-empty).
 */
export interface DecisionHook {
  name: string;
  onDecision(trx: Transaction<any>, record: { decisionId: string; call: ToolCall; decision: PolicyDecision; now: Date }): Promise<void>;
}

export async function buildPolicyInput(call: ToolCall, now: Date, providers: PolicyInputProvider[]): Promise<PolicyInput> {
  const input: PolicyInput = {
    call,
    now: now.toISOString(),
    session: { tainted: false, taint_sources: [] },
    budget: { spent_usd: 0, cap_usd: null, estimated_usd: 0 },
    grants: [],
    waivers: [],
    holds: [],
    breakglass: [],
  };
  const parts = await Promise.all(providers.map((p) => p.provide(call, now)));
  for (const part of parts) {
    if (part.grants) input.grants.push(...part.grants);
    if (part.waivers) input.waivers.push(...part.waivers);
    if (part.holds) input.holds.push(...part.holds);
    if (part.breakglass) input.breakglass.push(...part.breakglass);
    if (part.session) input.session = part.session;
    if (part.budget) input.budget = part.budget;
  }
  return input;
}
