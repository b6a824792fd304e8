// policy-mutation-score reads the mutation score the activation of each deciding bundle ledgered.
import { describe, expect, it } from "vitest";
import { policyMutationScore } from "./mutation-claim.ts";
import type { EvidenceSet, IndexedEvent } from "./types.ts";

let next = 0;
function ev(kind: string, subject: { type: string; id: string }, payload: Record<string, unknown>): IndexedEvent {
  return {
    index: next++,
    event: { v: 1, id: `e${next}`, kind, time: "2026-01-01T00:00:00.000Z", actor: { type: "service", id: "s" }, subject, payload },
  };
}
const REPORT = `sha256:${"ab".repeat(32)}`;
const activated = (digest: string, mutation?: unknown) =>
  ev("policy.activated", { type: "policy", id: "active" }, { digest, revision: "r", ...(mutation !== undefined && { mutation }) });
const decided = (digest: string) =>
  ev("decision", { type: "decision", id: `d${next}` }, { allow: true, call: { capability: "repo.read" }, policy: { digest } });
const set = (events: IndexedEvent[]): EvidenceSet => ({
  decisions: events.filter((e) => e.event.kind === "decision"),
  policies: events.filter((e) => e.event.kind === "policy.activated"),
  outcomes: [],
  waivers: [],
  holds: [],
  breakglass: [],
  sbom: null,
  target: { repository: "a/b", version: "1" },
});

describe("policy-mutation-score", () => {
  it("holds when the activation in force at each decision records a score at or above its threshold", () => {
    next = 0;
    const a = activated("sha256:a", { digest: REPORT, score: 0.96, threshold: 0.94 });
    const d = decided("sha256:a");
    expect(policyMutationScore(set([a, d]))).toMatchObject({ status: "supported", indexes: [a.index], counterexamples: [] });
  });

  it("fails on a bundle whose score is below its threshold, naming its activation", () => {
    next = 0;
    const good = activated("sha256:a", { digest: REPORT, score: 0.96, threshold: 0.94 });
    const d1 = decided("sha256:a");
    const low = activated("sha256:b", { digest: REPORT, score: 0.72, threshold: 0.94 });
    const d2 = decided("sha256:b");
    const c = policyMutationScore(set([good, d1, low, d2]));
    expect(c).toMatchObject({ status: "unsupported", counterexamples: [low.index] });
    expect(c.reason).toBe("1 bundle activation(s) record a mutation score below the threshold (at least 0.94)");
  });

  it("fails on a threshold below the floor, a bundle recording no score, and a decision with no activation", () => {
    next = 0;
    const lax = activated("sha256:a", { digest: REPORT, score: 0.8, threshold: 0.5 });
    const d1 = decided("sha256:a");
    const none = activated("sha256:b");
    const d2 = decided("sha256:b");
    const malformed = activated("sha256:c", { digest: REPORT, score: "0.99", threshold: 0.94 });
    const d3 = decided("sha256:c");
    const orphan = decided("sha256:z");
    const c = policyMutationScore(set([lax, d1, none, d2, malformed, d3, orphan]));
    expect(c.counterexamples).toEqual([lax.index, none.index, malformed.index, orphan.index]);
    expect(c.reason).toBe(
      "1 decision(s) cite a bundle with no earlier activation; 2 bundle activation(s) record no mutation score; " +
        "1 bundle activation(s) record a mutation score below the threshold (at least 0.94)",
    );
  });

  it("reads the activation in force at the decision, not a later one of the same bundle", () => {
    next = 0;
    const before = activated("sha256:a");
    const d = decided("sha256:a");
    const after = activated("sha256:a", { digest: REPORT, score: 0.99, threshold: 0.94 });
    expect(policyMutationScore(set([before, d, after]))).toMatchObject({ status: "unsupported", counterexamples: [before.index] });
  });

  it("has nothing to argue from without decisions", () => {
    next = 0;
    expect(policyMutationScore(set([]))).toMatchObject({
      status: "unsupported",
      reason: expect.stringMatching(/^no decision was recorded/),
    });
  });
});
