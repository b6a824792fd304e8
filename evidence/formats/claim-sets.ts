// The claim sets a safety case can argue, by version: the signed case names its version, and the verifier recomputes
// exactly the claims of that version, so an export stays verifiable after new claims are added and cannot drop one.
import type { ClaimKey, SafetyCaseDocument } from "./types.ts";

/** One risk dimension of the argument: a GSN strategy and, in order, the claims that support it. */
export interface Dimension {
  key: string;
  statement: string;
  claims: ClaimKey[];
}

const AGENT_ACTIONS = { key: "agent-actions", statement: "Argue over control of agent actions" };
const QUALITY = { key: "quality", statement: "Argue over product quality" };
const SUPPLY_CHAIN = { key: "supply-chain", statement: "Argue over the software supply chain" };
const GOVERNANCE = { key: "governance", statement: "Argue over the governance state at release" };

/**
 * Never edit a published set: every export signed with it must keep verifying. A new or changed claim is a new
 * version, made CURRENT_CLAIM_SET, documented in docs/contract.md and docs/governance/auditor-guide.md.
 */
const CLAIM_SETS: ReadonlyMap<number, readonly Dimension[]> = new Map([
  // The seven claims of the first safety cases (before issue #24), signed without a claimSet member.
  [
    1,
    [
      { ...AGENT_ACTIONS, claims: ["mediated", "denies-respected", "breakglass-reviewed"] },
      { ...QUALITY, claims: ["tests-passed"] },
      { ...SUPPLY_CHAIN, claims: ["sbom-present"] },
      { ...GOVERNANCE, claims: ["no-active-hold", "policy-known"] },
    ],
  ],
  // Issue #24 added secrets, licences and the policy's mutation score; cases signed before claimSet existed omit it.
  [
    2,
    [
      { ...AGENT_ACTIONS, claims: ["mediated", "denies-respected", "breakglass-reviewed", "no-unwaived-secret"] },
      { ...QUALITY, claims: ["tests-passed"] },
      { ...SUPPLY_CHAIN, claims: ["sbom-present", "licences-compatible"] },
      { ...GOVERNANCE, claims: ["no-active-hold", "policy-known", "policy-mutation-score"] },
    ],
  ],
]);

/** The claim set every new safety case argues, and names in its signed `claimSet` member. */
export const CURRENT_CLAIM_SET = 2;

/** Which claim set a case argues, and whether it says so (cases signed before claim sets were versioned do not). */
export interface ClaimSetRef {
  version: number;
  named: boolean;
}

export const KNOWN_CLAIM_SETS: readonly number[] = [...CLAIM_SETS.keys()];

export function dimensionsOf(version: number): readonly Dimension[] {
  const dimensions = CLAIM_SETS.get(version);
  if (!dimensions)
    throw new Error(`claim set ${version} is unknown to this verifier (it knows ${KNOWN_CLAIM_SETS.join(", ")}): use a newer maestro`);
  return dimensions;
}

export function claimKeysOf(version: number): ClaimKey[] {
  return dimensionsOf(version).flatMap((d) => d.claims);
}

/** The claim keys a signed case argues, in node order (every Goal but the top one). */
function arguedClaims(doc: SafetyCaseDocument): string[] {
  return doc.nodes.filter((n) => n.type === "Goal" && n.id !== "G0").map((n) => String(n.claim));
}

/**
 * The claim set a signed case argues, checked against the claims it holds: every claim of its version, and no other.
 * A case that names no version was signed before versions existed; it must argue exactly one of the sets such cases
 * were signed with (1, or 2 between issue #24 and versioning). Throws a readable error, naming the claims, otherwise.
 */
export function claimSetOfCase(doc: SafetyCaseDocument): ClaimSetRef {
  const argued = arguedClaims(doc);
  const named = doc.claimSet !== undefined;
  const candidates = named ? [doc.claimSet!] : [1, 2];
  if (named) dimensionsOf(doc.claimSet!);
  for (const version of candidates) {
    const expected = claimKeysOf(version);
    const missing = expected.filter((k) => !argued.includes(k));
    const extra = argued.filter((k) => !expected.includes(k as ClaimKey));
    if (missing.length === 0 && extra.length === 0 && argued.length === expected.length) return { version, named };
    if (named) {
      const parts = [
        ...(missing.length > 0 ? [`omits ${missing.join(", ")}`] : []),
        ...(extra.length > 0 ? [`argues ${extra.join(", ")}, not in it`] : []),
        ...(missing.length === 0 && extra.length === 0 ? ["argues a claim twice"] : []),
      ];
      throw new Error(`the safety case names claim set ${version} but ${parts.join(" and ")}`);
    }
  }
  throw new Error(
    `the safety case names no claim set and argues neither claim set 1 nor 2 (it argues ${argued.join(", ") || "no claims"})`,
  );
}
