// Claims follow from the events: each is shown supported or unsupported (with counterexamples), never dropped.
import { describe, expect, it } from "vitest";
import { evaluateClaims } from "./claims.ts";
import { gsnProblem } from "./gsn-structure.ts";
import { buildSafetyCase } from "./safety-case.ts";
import type { EvidenceSet, IndexedEvent } from "./types.ts";
import { present } from "../../common/present.ts";

let next = 0;
function ev(
  kind: string,
  subject: { type: string; id: string },
  payload: Record<string, unknown> = {},
  time = "2026-01-01T00:00:00.000Z",
): IndexedEvent {
  return { index: next++, event: { v: 1, id: `e${next}`, kind, time, actor: { type: "agent", id: "a" }, subject, payload } };
}
const decision = (id: string, allow: boolean, extra: Record<string, unknown> = {}) =>
  ev(
    "decision",
    { type: "decision", id },
    {
      call: { session: "s1", capability: "repo.read" },
      allow,
      decision: allow ? "allow" : "deny",
      waivers: [],
      policy: { digest: "sha256:p" },
      ...extra,
    },
  );
const outcome = (id: string, status = "ok") => ev("outcome", { type: "decision", id }, { status });

function base(): EvidenceSet {
  next = 0;
  const mutation = { digest: `sha256:${"ab".repeat(32)}`, score: 0.95, threshold: 0.94 };
  const policy = ev("policy.activated", { type: "policy", id: "p" }, { digest: "sha256:p", mutation });
  const d1 = decision("d1", true);
  const t1 = decision("t1", true, { call: { session: "s1", capability: "tests.run" } });
  return {
    decisions: [d1, t1],
    outcomes: [outcome("d1"), outcome("t1", "ok")],
    waivers: [],
    holds: [],
    breakglass: [],
    policies: [policy],
    sbom: { digest: `sha256:${"0".repeat(64)}`, specVersion: "1.7", source: "package-lock" },
    target: { repository: "acme/api", version: "1.0.0" },
  };
}
const statuses = (set: EvidenceSet) =>
  Object.fromEntries(
    evaluateClaims(set)
      .flatMap((g) => g.claims)
      .map((c) => [c.claim, c]),
  );

describe("claims", () => {
  it("are all supported by clean evidence", () => {
    const all = statuses(base());
    expect(Object.values(all).map((c) => c.status)).toEqual(Array(10).fill("supported"));
  });

  it("count a cited waiver in force only once activated, not at a first of two approvals", () => {
    const set = base();
    const firstApproval = ev("waiver.approved", { type: "waiver", id: "w2" }, { approvals: 1, approvalsRequired: 2, final: false });
    const early = decision("early", true, { waivers: ["w2"] });
    const activated = ev("waiver.activated", { type: "waiver", id: "w2" }, { expiresAt: "2026-01-02T00:00:00.000Z" });
    const later = decision("later", true, { waivers: ["w2"] });
    set.decisions.push(early, later);
    set.waivers.push(firstApproval, activated);
    expect(present(statuses(set)["denies-respected"], "denies-respected").counterexamples).toEqual([early.index]);
  });

  it("name the counterexamples of each violated claim", () => {
    const set = base();
    const deny = decision("x", false);
    const ranAnyway = outcome("x");
    const failedTests = outcome("t1", "error");
    const hold = ev("hold.placed", { type: "hold", id: "h1" }, { scope: { type: "repository", id: "acme/api" } });
    const otherHold = ev("hold.placed", { type: "hold", id: "h2" }, { scope: { type: "repository", id: "acme/web" } });
    const bg = ev("breakglass.opened", { type: "breakglass", id: "b1" });
    const w = ev("waiver.approved", { type: "waiver", id: "w1" }, { final: true });
    const revoked = ev("waiver.revoked", { type: "waiver", id: "w1" });
    const byWaiver = decision("y", true, { waivers: ["w1"] });
    set.decisions.push(deny, byWaiver);
    set.outcomes.push(ranAnyway, failedTests);
    set.holds.push(hold, otherHold);
    set.breakglass.push(bg);
    set.waivers.push(w, revoked);
    set.sbom = null;
    const c = statuses(set);
    expect(present(c.mediated, "mediated").counterexamples).toEqual([ranAnyway.index]);
    expect(present(c["denies-respected"], "denies-respected").counterexamples).toEqual([ranAnyway.index, byWaiver.index]);
    expect(c["tests-passed"]).toMatchObject({ status: "unsupported", counterexamples: [failedTests.index] });
    expect(present(c["no-active-hold"], "no-active-hold").counterexamples).toEqual([hold.index]);
    expect(present(c["breakglass-reviewed"], "breakglass-reviewed").counterexamples).toEqual([bg.index]);
    expect(c["sbom-present"]).toMatchObject({ status: "unsupported", reason: "the release has no SBOM" });

    const doc = buildSafetyCase({
      release: { id: "r", repository: "acme/api", version: "1.0.0", artifacts: [] },
      evidence: set,
      tree: { origin: "o", size: 99, rootHash: `${"A".repeat(43)}=` },
      policyDigests: ["sha256:p"],
      generatedAt: "2026-01-01T00:00:00.000Z",
    });
    expect(gsnProblem(doc)).toBeNull();
    const goals = doc.nodes.filter((n) => n.type === "Goal");
    expect(goals).toHaveLength(11); // the top goal and all ten claims, unsupported ones included
    expect(goals.find((g) => g.id === "G0")).toMatchObject({ status: "unsupported" });
    expect(goals.filter((g) => g.status === "unsupported").map((g) => g.claim)).toEqual(
      expect.arrayContaining(["mediated", "denies-respected", "tests-passed", "no-active-hold", "breakglass-reviewed", "sbom-present"]),
    );
  });

  it("rejects a structurally broken GSN document", () => {
    const doc = buildSafetyCase({
      release: { id: "r", repository: "a/b", version: "1", artifacts: [] },
      evidence: base(),
      tree: { origin: "o", size: 9, rootHash: `${"A".repeat(43)}=` },
      policyDigests: [],
      generatedAt: "2026-01-01T00:00:00.000Z",
    });
    expect(gsnProblem({ ...doc, links: [...doc.links, { type: "SupportedBy", from: "G0", to: "C0" }] })).toMatch(
      /SupportedBy link to a Context/,
    );
    expect(gsnProblem({ ...doc, links: [...doc.links, { type: "SupportedBy", from: "G1.1", to: "G0" }] })).toMatch(/top goal|cycle/);
    expect(gsnProblem({ ...doc, nodes: [...doc.nodes, { id: "G9", type: "Goal", statement: "orphan" }] })).toMatch(/top goal|no support/);
  });
});
