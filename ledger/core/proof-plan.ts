// Inclusion and consistency proofs as plans of stored-node coordinates (RFC 9162 §2.1.3.1, §2.1.4.1).
import { itemAt } from "../../common/present.ts";
import { MaestroError } from "../../common/errors.ts";
import { EMPTY_ROOT, HASH_SIZE } from "./hash.ts";
import { assertIndex, splitPoint } from "./int.ts";
import type { NodeCoord } from "./subtree.ts";
import { coordKey, foldRight, rangeCoords, rootCoords } from "./subtree.ts";

/** One proof element = the right fold of these complete subtrees; a plan lists elements in proof order. */
export type ProofPlan = NodeCoord[][];

/** Where hashes come from: one batched call per proof, so storage sees one round trip. */
export interface HashReader {
  getHashes(coords: NodeCoord[]): Promise<Uint8Array[]>;
}

/**
 * PATH(m, D[a:a+n]) of RFC 9162 §2.1.3.1, leaf-side element first. Once the walk goes left it is
 * inside a perfect subtree, so at most one element (a right part) has several pieces: O(log n).
 */
function pathPlan(m: number, a: number, n: number): ProofPlan {
  const out: ProofPlan = [];
  while (n > 1) {
    const k = splitPoint(n);
    if (m < k) {
      out.push(rangeCoords(a + k, a + n)); // MTH(D[k:n])
      n = k;
    } else {
      out.push(rangeCoords(a, a + k)); // MTH(D[0:k])
      m -= k;
      a += k;
      n -= k;
    }
  }
  return out.reverse(); // the recursion appends on the way out: deepest sibling first
}

/** SUBPROOF(m, D[a:a+n], b) of RFC 9162 §2.1.4.1, same order as the recursion emits it. */
function subproofPlan(m: number, a: number, n: number, b: boolean): ProofPlan {
  const out: ProofPlan = [];
  while (m !== n) {
    const k = splitPoint(n);
    if (m <= k) {
      out.push(rangeCoords(a + k, a + n)); // SUBPROOF(m, D[0:k], b) : MTH(D[k:n])
      n = k;
    } else {
      out.push(rangeCoords(a, a + k)); // SUBPROOF(m - k, D[k:n], false) : MTH(D[0:k])
      m -= k;
      a += k;
      n -= k;
      b = false;
    }
  }
  if (!b) out.push(rangeCoords(a, a + n)); // SUBPROOF(m, D[m], false) = {MTH(D[m])}
  return out.reverse();
}

export function inclusionPlan(index: number, size: number): ProofPlan {
  assertIndex(index, "index");
  assertIndex(size, "size");
  if (index >= size) {
    throw new MaestroError("bad_request", `index ${index} is not below tree size ${size}`, {
      field: "index",
      details: { index, size },
    });
  }
  return pathPlan(index, 0, size);
}

/** PROOF(m, D[n]) for 0 < m <= n; m == n gives the empty proof (RFC 9162 §2.1.4.1). */
export function consistencyPlan(m: number, n: number): ProofPlan {
  assertIndex(m, "from");
  assertIndex(n, "to");
  if (m === 0) {
    throw new MaestroError("bad_request", "consistency from the empty tree is not defined (RFC 9162 needs 0 < m)", {
      field: "from",
      details: { from: m, to: n },
    });
  }
  if (m > n) {
    throw new MaestroError("bad_request", `from size ${m} is larger than to size ${n}`, {
      field: "from",
      details: { from: m, to: n },
    });
  }
  return subproofPlan(m, 0, n, true);
}

/** Every distinct coordinate a plan needs, in first-use order. */
export function planCoords(plan: ProofPlan): NodeCoord[] {
  const seen = new Map<string, NodeCoord>();
  for (const element of plan) for (const c of element) if (!seen.has(coordKey(c))) seen.set(coordKey(c), c);
  return [...seen.values()];
}

export function resolvePlan(plan: ProofPlan, lookup: (c: NodeCoord) => Uint8Array): Uint8Array[] {
  return plan.map((element) => foldRight(element.map(lookup)));
}

async function fetchAndResolve(reader: HashReader, plan: ProofPlan): Promise<Uint8Array[]> {
  const coords = planCoords(plan);
  if (coords.length === 0) return []; // empty proof (size 1 inclusion, m == n consistency)
  const hashes = await reader.getHashes(coords);
  if (hashes.length !== coords.length) {
    throw new MaestroError("ledger_unavailable", "hash reader returned the wrong number of hashes", {
      details: { asked: coords.length, got: hashes.length },
    });
  }
  const byKey = new Map<string, Uint8Array>();
  coords.forEach((c, i) => {
    if (!(hashes[i] instanceof Uint8Array) || hashes[i].length !== HASH_SIZE) {
      throw new MaestroError("ledger_unavailable", `hash reader returned a bad hash for ${coordKey(c)}`, {
        details: { coord: coordKey(c) },
      });
    }
    byKey.set(coordKey(c), hashes[i]);
  });
  return resolvePlan(plan, (c) => byKey.get(coordKey(c)) as Uint8Array);
}

export function buildInclusionProof(reader: HashReader, index: number, size: number): Promise<Uint8Array[]> {
  return fetchAndResolve(reader, inclusionPlan(index, size));
}

export function buildConsistencyProof(reader: HashReader, m: number, n: number): Promise<Uint8Array[]> {
  return fetchAndResolve(reader, consistencyPlan(m, n));
}

/** MTH(D[0:size]); EMPTY_ROOT for size 0 without touching storage. */
export async function computeRoot(reader: HashReader, size: number): Promise<Uint8Array> {
  const coords = rootCoords(size);
  if (coords.length === 0) return EMPTY_ROOT;
  return itemAt(await fetchAndResolve(reader, [coords]), 0, "resolved roots");
}
