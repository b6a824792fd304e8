// Turns claim results into a GSN safety case (GSN Community Standard v3): top goal, strategies by risk dimension, claims, solutions.
import { type ClaimSetRef, CURRENT_CLAIM_SET, dimensionsOf } from "./claim-sets.ts";
import { evaluateClaims } from "./claims.ts";
import {
  CASE_SCHEMA,
  type EvidenceSet,
  type GsnLink,
  type GsnNode,
  type ReleaseRecord,
  type SafetyCaseDocument,
  type TreeRef,
} from "./types.ts";
import { itemAt } from "../../common/present.ts";

export interface CaseInput {
  release: Pick<ReleaseRecord, "id" | "repository" | "version" | "artifacts">;
  evidence: EvidenceSet;
  tree: TreeRef;
  policyDigests: string[];
  generatedAt: string;
  /** The claim set to argue: the current one for a new case; the signed case's own when the verifier recomputes it. */
  claimSet?: ClaimSetRef;
}

export function buildSafetyCase(input: CaseInput): SafetyCaseDocument {
  const { release, tree } = input;
  const claimSet = input.claimSet ?? { version: CURRENT_CLAIM_SET, named: true };
  const groups = evaluateClaims(input.evidence, claimSet.version);
  const all = groups.flatMap((g) => g.claims);
  const unsupported = all.filter((c) => c.status === "unsupported");
  const nodes: GsnNode[] = [];
  const links: GsnLink[] = [];
  const supportedBy = (from: string, to: string) => links.push({ type: "SupportedBy", from, to });
  const inContextOf = (from: string, to: string) => links.push({ type: "InContextOf", from, to });

  nodes.push({
    id: "G0",
    type: "Goal",
    statement: `Release ${release.id} (${release.repository} ${release.version}) is acceptable to ship`,
    claim: "release-acceptable",
    status: unsupported.length === 0 ? "supported" : "unsupported",
    ...(unsupported.length > 0 ? { reason: `unsupported claims: ${unsupported.map((c) => c.claim).join(", ")}` } : {}),
  });
  nodes.push({
    id: "C0",
    type: "Context",
    statement: `Release ${release.id}: ${release.repository} ${release.version}, ${release.artifacts.length} artifact(s)`,
    values: { artifacts: release.artifacts.map((a) => ({ name: a.name, sha256: a.digest.sha256 })) },
  });
  nodes.push({
    id: "C1",
    type: "Context",
    statement: `Evidence is the ledger ${tree.origin} up to tree size ${tree.size} (root ${tree.rootHash})`,
    values: { ...tree },
  });
  nodes.push({
    id: "C2",
    type: "Context",
    statement: `Policy bundles in force: ${input.policyDigests.length === 0 ? "none recorded" : input.policyDigests.join(", ")}`,
    values: { policyDigests: input.policyDigests },
  });
  nodes.push({
    id: "A0",
    type: "Assumption",
    statement: "The ledger's event and checkpoint signing keys were held only by the Maestro server",
  });
  nodes.push({
    id: "J0",
    type: "Justification",
    statement: "An event with a valid inclusion proof against a signed checkpoint is in the append-only ledger (RFC 9162 §2.1.3)",
  });
  for (const id of ["C0", "C1", "C2", "A0"]) inContextOf("G0", id);

  dimensionsOf(claimSet.version).forEach((dimension, i) => {
    const sid = `S${i + 1}`;
    nodes.push({ id: sid, type: "Strategy", statement: dimension.statement });
    supportedBy("G0", sid);
    inContextOf(sid, "J0");
    itemAt(groups, i, "claim groups").claims.forEach((claim, j) => {
      const gid = `G${i + 1}.${j + 1}`;
      const snid = `Sn${i + 1}.${j + 1}`;
      nodes.push({
        id: gid,
        type: "Goal",
        statement: claim.statement,
        claim: claim.claim,
        status: claim.status,
        ...(claim.reason ? { reason: claim.reason } : {}),
      });
      supportedBy(sid, gid);
      const evidence =
        claim.claim === "sbom-present"
          ? input.evidence.sbom
            ? [{ kind: "sbom", digest: input.evidence.sbom.digest }]
            : [{ kind: "none" }]
          : [
              {
                kind: "ledger-events",
                indexes: claim.indexes,
                counterexamples: claim.counterexamples,
                treeSize: tree.size,
                rootHash: tree.rootHash,
              },
            ];
      nodes.push({ id: snid, type: "Solution", statement: solutionText(claim.claim, claim.indexes.length), evidence });
      supportedBy(gid, snid);
    });
  });
  // Signed with the case, so the verifier knows which claims it must find and recompute (claim-sets.ts).
  const version = claimSet.named ? { claimSet: claimSet.version } : {};
  return { schema: CASE_SCHEMA, ...version, release: release.id, generatedAt: input.generatedAt, tree, nodes, links };
}

function solutionText(claim: string, n: number): string {
  if (claim === "sbom-present") return "The CycloneDX SBOM, identified by its SHA-256 digest in the signed statement";
  return `Inclusion proofs of ${n} ledger event(s) against the signed checkpoint`;
}
