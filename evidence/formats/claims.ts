// Evaluates the release claims from ledger events alone — the same code signs the case and re-checks it offline.
import { releaseOrRaw, repositoryOrRaw } from "../../common/canonical-resource.ts";
import { bySubject, payload, result, subjectId, waiverActiveAt } from "./claim-support.ts";
import { CURRENT_CLAIM_SET, dimensionsOf } from "./claim-sets.ts";
import { licencesCompatible, noUnwaivedSecret } from "./content-claims.ts";
import { policyMutationScore } from "./mutation-claim.ts";
import type { ClaimKey, ClaimResult, EvidenceSet, IndexedEvent } from "./types.ts";
import { present } from "../../common/present.ts";

function outcomesByDecision(set: EvidenceSet): Map<string, IndexedEvent[]> {
  return bySubject(set.outcomes);
}

function mediated(set: EvidenceSet): ClaimResult {
  const decisions = new Map(set.decisions.map((d) => [subjectId(d), d]));
  const counter: number[] = [];
  for (const o of set.outcomes) {
    const d = decisions.get(subjectId(o));
    // An outcome with no earlier allowing decision means a tool ran outside the mediator.
    if (!d || d.index > o.index || payload(d).allow !== true) counter.push(o.index);
  }
  const reason = set.decisions.length === 0 ? "no mediated tool calls were recorded for the release's sessions" : undefined;
  return result(
    "mediated",
    "Every tool call of the release's sessions was mediated and its decision is on the ledger",
    [...set.decisions, ...set.outcomes].map((e) => e.index),
    counter,
    counter.length > 0 ? `${counter.length} outcome(s) without an earlier allowing decision` : reason,
  );
}

function deniesRespected(set: EvidenceSet): ClaimResult {
  const outcomes = outcomesByDecision(set);
  const waivers = bySubject(set.waivers);
  const indexes: number[] = [];
  const counter: number[] = [];
  for (const d of set.decisions) {
    const p = payload(d);
    if (p.allow !== true) {
      indexes.push(d.index);
      // A deny is respected when the tool never reported an outcome for it.
      for (const o of outcomes.get(subjectId(d)) ?? []) counter.push(o.index);
      continue;
    }
    const cited: string[] = Array.isArray(p.waivers) ? p.waivers : [];
    if (cited.length === 0) continue;
    indexes.push(d.index);
    for (const id of cited) {
      indexes.push(...(waivers.get(id) ?? []).map((w) => w.index));
      if (!waiverActiveAt(waivers.get(id), d)) counter.push(d.index);
    }
  }
  return result(
    "denies-respected",
    "Every deny was respected, and every call allowed by exception cites a waiver that was approved and in force",
    indexes,
    counter,
    counter.length > 0 ? `${counter.length} event(s) ran despite a deny or cite a waiver not in force` : undefined,
  );
}

function breakglassReviewed(set: EvidenceSet): ClaimResult {
  const counter: number[] = [];
  for (const events of bySubject(set.breakglass).values()) {
    const opened = events.find((e) => e.event.kind === "breakglass.opened");
    if (opened && !events.some((e) => e.event.kind === "breakglass.reviewed" && e.index > opened.index)) counter.push(opened.index);
  }
  return result(
    "breakglass-reviewed",
    "Every break-glass use was reviewed",
    set.breakglass.map((e) => e.index),
    counter,
    counter.length > 0 ? `${counter.length} break-glass use(s) not reviewed` : undefined,
  );
}

function testsPassed(set: EvidenceSet): ClaimResult {
  const outcomes = outcomesByDecision(set);
  const latestBySession = new Map<string, IndexedEvent>();
  const indexes: number[] = [];
  for (const d of set.decisions) {
    const p = payload(d);
    if (p.call?.capability !== "tests.run" || p.allow !== true) continue;
    const last = outcomes.get(subjectId(d))?.at(-1);
    if (last === undefined) continue;
    indexes.push(d.index, last.index);
    const session = String(p.call.session);
    const prev = latestBySession.get(session);
    if (!prev || prev.index < last.index) latestBySession.set(session, last);
  }
  const counter = [...latestBySession.values()].filter((o) => payload(o).status !== "ok").map((o) => o.index);
  let reason: string | undefined;
  if (latestBySession.size === 0) reason = "no test run with an outcome was recorded";
  else if (counter.length > 0) reason = `the latest test run failed in ${counter.length} session(s)`;
  return result("tests-passed", "The latest test run of every session that ran tests passed", indexes, counter, reason);
}

function sbomPresent(set: EvidenceSet): ClaimResult {
  return result(
    "sbom-present",
    "A CycloneDX SBOM of the released artifacts exists and is valid",
    [],
    [],
    set.sbom ? undefined : "the release has no SBOM",
  );
}

/** Same scopes as the policy (policies/rego/match.rego): everything, the repository, or this exact release. */
function holdCovers(placed: IndexedEvent | undefined, target: EvidenceSet["target"]): boolean {
  const scope = placed ? (payload(placed).scope as { type?: string; id?: string } | undefined) : undefined;
  if (!scope || scope.type === "all") return true;
  // Compared on canonical identity (common/canonical-resource.ts), as the policy compares them.
  if (scope.type === "repository") return repositoryOrRaw(String(scope.id)) === repositoryOrRaw(target.repository);
  if (scope.type === "release") return releaseOrRaw(String(scope.id)) === releaseOrRaw(`${target.repository}@${target.version}`);
  return true; // an unknown scope is counted, never ignored
}

function noActiveHold(set: EvidenceSet): ClaimResult {
  const counter: number[] = [];
  const indexes: number[] = [];
  for (const events of bySubject(set.holds).values()) {
    if (
      !holdCovers(
        events.find((e) => e.event.kind === "hold.placed"),
        set.target,
      )
    )
      continue;
    indexes.push(...events.map((e) => e.index));
    const last = present(events.at(-1), "the hold's events");
    if (last.event.kind === "hold.placed") counter.push(last.index);
  }
  return result(
    "no-active-hold",
    "No hold covering this release was active when it was published",
    indexes,
    counter,
    counter.length > 0 ? `${counter.length} hold(s) active` : undefined,
  );
}

function policyKnown(set: EvidenceSet): ClaimResult {
  const activated = new Map<string, number>();
  for (const e of set.policies) {
    const digest = payload(e).digest;
    if (typeof digest === "string" && !activated.has(digest)) activated.set(digest, e.index);
  }
  const counter: number[] = [];
  for (const d of set.decisions) {
    const digest = payload(d).policy?.digest;
    const at = activated.get(digest);
    if (at === undefined || at > d.index) counter.push(d.index);
  }
  return result(
    "policy-known",
    "Every decision was made by a policy bundle whose activation is on the ledger",
    [...set.policies.map((e) => e.index)],
    counter,
    counter.length > 0 ? `${counter.length} decision(s) cite a policy digest with no earlier activation event` : undefined,
  );
}

/** Each claim's evaluator, by key; which claims a case argues, and in what order, is its claim set (claim-sets.ts). */
const EVALUATORS: Record<ClaimKey, (set: EvidenceSet) => ClaimResult> = {
  mediated,
  "denies-respected": deniesRespected,
  "breakglass-reviewed": breakglassReviewed,
  "no-unwaived-secret": noUnwaivedSecret,
  "tests-passed": testsPassed,
  "sbom-present": sbomPresent,
  "licences-compatible": licencesCompatible,
  "no-active-hold": noActiveHold,
  "policy-known": policyKnown,
  "policy-mutation-score": policyMutationScore,
};

/** The claims of one claim set, grouped by the risk dimension that argues for them, in the set's order. */
export function evaluateClaims(set: EvidenceSet, claimSet = CURRENT_CLAIM_SET): Array<{ dimension: string; claims: ClaimResult[] }> {
  return dimensionsOf(claimSet).map((d) => ({ dimension: d.key, claims: d.claims.map((key) => EVALUATORS[key](set)) }));
}
