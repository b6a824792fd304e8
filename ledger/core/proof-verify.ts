// Inclusion and consistency proof verification, step by step from RFC 9162 §2.1.3.2 and §2.1.4.2.
import { itemAt } from "../../common/present.ts";
import { hashEquals, nodeHash } from "./hash.ts";
import { checkProofElements, checkProofInt, type InclusionInput, inclusionWalk, proofFail } from "./inclusion-walk.ts";
import { half, isOdd } from "./int.ts";
import { consistencyPlan } from "./proof-plan.ts";

export type { InclusionInput };

export interface ConsistencyInput {
  size1: number;
  size2: number;
  root1: Uint8Array;
  root2: Uint8Array;
  proof: Uint8Array[];
}

/** RFC 9162 §2.1.3.2 steps 1–5 without the final root comparison: the root the proof implies. */
export function rootFromInclusionProof(input: InclusionInput): Uint8Array {
  const left = inclusionWalk(input);
  let r = input.leafHash; // step 3
  for (const [i, p] of input.proof.entries()) r = left[i] ? nodeHash(p, r) : nodeHash(r, p); // step 4b
  return r;
}

export function verifyInclusion(input: InclusionInput & { root: Uint8Array }): void {
  const r = rootFromInclusionProof(input);
  if (!(input.root instanceof Uint8Array) || !hashEquals(r, input.root)) {
    proofFail("root mismatch: the inclusion proof leads to a different root", { index: input.index, size: input.size });
  }
}

/** RFC 9162 §2.1.4.2 for 0 < size1 <= size2; equal sizes need an empty proof and equal roots. */
export function verifyConsistency(input: ConsistencyInput): void {
  const size1 = checkProofInt(input.size1, "size1");
  const size2 = checkProofInt(input.size2, "size2");
  if (size1 > size2) proofFail(`size1 ${size1} is larger than size2 ${size2}`, { size1, size2 });
  if (size1 === 0) proofFail("consistency with the empty tree is not defined (RFC 9162 needs 0 < size1)");
  if (!(input.root1 instanceof Uint8Array) || !(input.root2 instanceof Uint8Array)) proofFail("roots must be bytes");
  const proof = checkProofElements(input.proof);
  // Root lengths are not checked: a root that is not 32 bytes can never equal a computed hash, and
  // for equal sizes the reference verifier compares the two roots as given (vector "sizes are equal").
  if (size1 === size2) {
    if (proof.length !== 0) proofFail("proof must be empty when the sizes are equal", { got: proof.length });
    if (!hashEquals(input.root1, input.root2)) proofFail("root mismatch: equal sizes with different roots");
    return;
  }
  const expected = consistencyPlan(size1, size2).length;
  if (proof.length !== expected) {
    proofFail(`wrong proof length: expected ${expected}, got ${proof.length}`, { expected, got: proof.length });
  }
  // Step 1 (empty path fails) is covered by the length check: 0 < size1 < size2 needs >= 1 element.
  // Step 2: when size1 is a power of two its root is a node of the new tree, left out of the proof.
  const path = isPow2(size1) ? [input.root1, ...proof] : proof;
  let fn = size1 - 1; // step 3
  let sn = size2 - 1;
  while (isOdd(fn)) {
    fn = half(fn); // step 4
    sn = half(sn);
  }
  let fr = itemAt(path, 0, "consistency path"); // step 5 (the length check above leaves at least one element)
  let sr = fr;
  for (const c of path.slice(1)) {
    if (sn === 0) proofFail("proof is longer than the path to the root"); // step 6a
    if (isOdd(fn) || fn === sn) {
      fr = nodeHash(c, fr); // 6b.i–ii
      sr = nodeHash(c, sr);
      if (!isOdd(fn)) {
        while (!isOdd(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = half(fn); // 6c
    sn = half(sn);
  }
  if (sn !== 0) proofFail("proof is shorter than the path to the root"); // step 7
  if (!hashEquals(fr, input.root1)) proofFail("root1 mismatch: the proof does not lead to the old root");
  if (!hashEquals(sr, input.root2)) proofFail("root2 mismatch: the proof does not lead to the new root");
}

function isPow2(n: number): boolean {
  while (n > 1 && !isOdd(n)) n /= 2;
  return n === 1;
}
