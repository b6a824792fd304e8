// Assembles the policy input for one call: fresh per-call state plus pluggable providers (waivers, holds, break-glass),
// whose answers are cached per policy-data version so a decision costs one store round trip, not one per provider.
import { blankPolicyInput } from "../policy/decision-types.ts";
import type { CallState } from "./call-state.ts";
import type { PolicyInput, ToolCall } from "./types.ts";

export type InputPart = Partial<Pick<PolicyInput, "grants" | "waivers" | "holds" | "breakglass" | "session" | "budget" | "runset">>;

/** A source of policy data, e.g. the waiver service contributing active waivers. */
export interface PolicyInputProvider {
  name: string;
  provide(call: ToolCall, now: Date): Promise<InputPart>;
  /**
   * When set, the answer depends only on this key and on ledgered policy data (waiver.*, hold.*,
   * breakglass.*, runset.*, policy.* events), so it is reused until the policy-data version moves.
   * Time-bound entries stay safe in a cached answer: the policy itself compares expiries with `now`.
   */
  cacheKey?: (call: ToolCall) => string;
}

/**
 * Answers of cacheable providers for one policy-data version; dropped wholesale when the version moves,
 * and one answer is dropped once an entry in it expires (so the provider sees the expiry at first use after).
 */
export class ProviderCache {
  #version = -1;
  #answers = new Map<string, { part: Promise<InputPart>; expiresMs: number }>();

  get(version: number, provider: PolicyInputProvider, call: ToolCall, now: Date): Promise<InputPart> {
    if (!provider.cacheKey) return provider.provide(call, now);
    if (version !== this.#version) {
      this.#version = version;
      this.#answers.clear();
    }
    const key = `${provider.name}\u0000${provider.cacheKey(call)}`;
    const cached = this.#answers.get(key);
    if (cached && now.getTime() < cached.expiresMs) return cached.part;
    const entry = { part: provider.provide(call, now), expiresMs: Number.POSITIVE_INFINITY };
    this.#answers.set(key, entry);
    entry.part.then(
      (part) => (entry.expiresMs = earliestExpiry(part)),
      // A failed read must not be remembered.
      () => this.#answers.get(key) === entry && this.#answers.delete(key),
    );
    return entry.part;
  }
}

function earliestExpiry(part: InputPart): number {
  let earliest = Number.POSITIVE_INFINITY;
  for (const item of [...(part.waivers ?? []), ...(part.breakglass ?? [])]) {
    const ms = Date.parse(item.expires_at);
    if (ms < earliest) earliest = ms;
  }
  return earliest;
}

export async function buildPolicyInput(
  call: ToolCall,
  now: Date,
  state: CallState,
  providers: readonly PolicyInputProvider[],
  cache: ProviderCache,
): Promise<PolicyInput> {
  const input = blankPolicyInput(call, now.toISOString());
  const parts = [state.part, ...(await Promise.all(providers.map((p) => cache.get(state.version, p, call, now))))];
  for (const part of parts) {
    if (part.grants) input.grants.push(...part.grants);
    if (part.waivers) input.waivers.push(...part.waivers);
    if (part.holds) input.holds.push(...part.holds);
    if (part.breakglass) input.breakglass.push(...part.breakglass);
    if (part.session) input.session = part.session;
    if (part.budget) input.budget = part.budget;
    if (part.runset) input.runset = part.runset;
  }
  return input;
}
