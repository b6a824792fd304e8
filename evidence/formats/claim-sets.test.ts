// A safety case argues exactly the claims of the claim set it names; one it does not name must be a pre-versioning set.
import { describe, expect, it } from "vitest";
import { claimKeysOf, claimSetOfCase, CURRENT_CLAIM_SET, KNOWN_CLAIM_SETS } from "./claim-sets.ts";
import { evaluateClaims } from "./claims.ts";
import { gsnProblem } from "./gsn-structure.ts";
import { buildSafetyCase } from "./safety-case.ts";
import { CLAIM_KEYS, type EvidenceSet, type SafetyCaseDocument } from "./types.ts";

const EMPTY: EvidenceSet = {
  decisions: [],
  outcomes: [],
  waivers: [],
  holds: [],
  breakglass: [],
  policies: [],
  sbom: null,
  target: { repository: "acme/api", version: "1.0.0" },
};

function caseOf(claimSet?: { version: number; named: boolean }): SafetyCaseDocument {
  return buildSafetyCase({
    release: { id: "r", repository: "acme/api", version: "1.0.0", artifacts: [] },
    evidence: EMPTY,
    tree: { origin: "o", size: 9, rootHash: `${"A".repeat(43)}=` },
    policyDigests: [],
    generatedAt: "2026-01-01T00:00:00.000Z",
    claimSet,
  });
}

/** The case without the goal (and its solution) of one claim, as a signer that dropped it would have made it. */
function without(doc: SafetyCaseDocument, claim: string): SafetyCaseDocument {
  const goal = doc.nodes.find((n) => n.claim === claim)!;
  const gone = new Set([goal.id, goal.id.replace(/^G/, "Sn")]);
  return { ...doc, nodes: doc.nodes.filter((n) => !gone.has(n.id)), links: doc.links.filter((l) => !gone.has(l.to) && !gone.has(l.from)) };
}

describe("claim sets", () => {
  it("each evaluator answers for the claim its set lists it under, and the current set argues every claim key", () => {
    for (const version of KNOWN_CLAIM_SETS) {
      expect(evaluateClaims(EMPTY, version).flatMap((g) => g.claims.map((c) => c.claim))).toEqual(claimKeysOf(version));
    }
    expect([...claimKeysOf(CURRENT_CLAIM_SET)].sort()).toEqual([...CLAIM_KEYS].sort());
  });

  it("set 1 is the seven claims signed before issue #24, set 2 adds secrets, licences and the mutation score", () => {
    expect(claimKeysOf(1)).toEqual([
      "mediated",
      "denies-respected",
      "breakglass-reviewed",
      "tests-passed",
      "sbom-present",
      "no-active-hold",
      "policy-known",
    ]);
    expect(claimKeysOf(2).filter((k) => !claimKeysOf(1).includes(k))).toEqual([
      "no-unwaived-secret",
      "licences-compatible",
      "policy-mutation-score",
    ]);
  });

  it("a new case names the current set, and that name is what the verifier reads back", () => {
    const doc = caseOf();
    expect(doc.claimSet).toBe(CURRENT_CLAIM_SET);
    expect(gsnProblem(doc)).toBeNull();
    expect(claimSetOfCase(doc)).toEqual({ version: CURRENT_CLAIM_SET, named: true });
  });

  it("a case signed before versions is recognised by its claims: set 1 or set 2, and rebuilt without the member", () => {
    const v1 = caseOf({ version: 1, named: false });
    expect("claimSet" in v1).toBe(false);
    expect(gsnProblem(v1)).toBeNull();
    expect(v1.nodes.filter((n) => n.type === "Goal")).toHaveLength(8);
    expect(claimSetOfCase(v1)).toEqual({ version: 1, named: false });
    const { claimSet: _, ...v2 } = caseOf();
    expect(claimSetOfCase(v2)).toEqual({ version: 2, named: false });
  });

  it("refuses a version it does not know, naming the ones it does", () => {
    expect(() => claimSetOfCase({ ...caseOf(), claimSet: 3 })).toThrow(
      "claim set 3 is unknown to this verifier (it knows 1, 2): use a newer maestro",
    );
  });

  it("refuses a named case that omits a claim of its set, or argues one outside it", () => {
    expect(() => claimSetOfCase(without(caseOf(), "licences-compatible"))).toThrow(
      "the safety case names claim set 2 but omits licences-compatible",
    );
    expect(() => claimSetOfCase({ ...caseOf(), claimSet: 1 })).toThrow(
      "the safety case names claim set 1 but argues no-unwaived-secret, licences-compatible, policy-mutation-score, not in it",
    );
  });

  it("refuses an unnamed case that is neither set, so dropping the version does not drop a claim", () => {
    const { claimSet: _, ...v2 } = without(caseOf(), "policy-mutation-score");
    expect(() => claimSetOfCase(v2)).toThrow(/names no claim set and argues neither claim set 1 nor 2/);
  });
});
