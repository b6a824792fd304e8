// The claim policy-mutation-score: the policy bundles that decided the release's calls were tested well enough that
// their tests catch deliberate bugs — read from the `policy.activated` event that put each bundle in force.
import { payload, result } from "./claim-support.ts";
import type { ClaimResult, EvidenceSet, IndexedEvent } from "./types.ts";

/**
 * The floor of the claim (Conductor v2.0's release KPI, issue #19): a bundle recording a lower threshold than this does
 * not support it, whatever its own report said.
 */
export const MUTATION_SCORE_FLOOR = 0.94;

const fraction = (v: unknown): number | undefined => (typeof v === "number" && Number.isFinite(v) && v >= 0 && v <= 1 ? v : undefined);

/**
 * For each decision, the last activation of its bundle before it: its ledgered `mutation` {digest, score, threshold}
 * (what `maestro policy build` read from the committed report into the manifest) must hold a score at or above the
 * threshold, and the threshold at or above the floor. A bundle activated without one is a counterexample.
 */
export function policyMutationScore(set: EvidenceSet): ClaimResult {
  const activations = [...set.policies].sort((a, b) => a.index - b.index);
  const used = new Set<IndexedEvent>();
  const counter: number[] = [];
  for (const d of set.decisions) {
    const digest = payload(d).policy?.digest;
    const activation = activations.filter((e) => e.index < d.index && payload(e).digest === digest).at(-1);
    // No activation at all is policy-known's counterexample; this claim has nothing to read either.
    if (activation) used.add(activation);
    else counter.push(d.index);
  }
  let missing = 0;
  let below = 0;
  for (const activation of used) {
    const mutation = payload(activation).mutation;
    const score = fraction(mutation?.score);
    const threshold = fraction(mutation?.threshold);
    if (score === undefined || threshold === undefined || typeof mutation?.digest !== "string") missing++;
    else if (score < Math.max(threshold, MUTATION_SCORE_FLOOR)) below++;
    else continue;
    counter.push(activation.index);
  }
  const reasons = [
    ...(set.decisions.length === 0 ? ["no decision was recorded, so no policy bundle decided anything to argue from"] : []),
    ...(counter.length > missing + below
      ? [`${counter.length - missing - below} decision(s) cite a bundle with no earlier activation`]
      : []),
    ...(missing > 0 ? [`${missing} bundle activation(s) record no mutation score`] : []),
    ...(below > 0 ? [`${below} bundle activation(s) record a mutation score below the threshold (at least ${MUTATION_SCORE_FLOOR})`] : []),
  ];
  return result(
    "policy-mutation-score",
    `The policy bundles that decided the release's calls have a mutation score at or above their threshold (at least ${MUTATION_SCORE_FLOOR * 100} %)`,
    [...used].map((e) => e.index),
    counter,
    reasons.length > 0 ? reasons.join("; ") : undefined,
  );
}
