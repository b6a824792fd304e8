// The RFC 9162 §2.1.3.2 inclusion walk without its hashing: the input checks and the side each proof element joins on.
// No node: imports, so the auditor's console bundles this very walk and hashes with WebCrypto, which is asynchronous.
import { MaestroError } from "../../common/errors.ts";
import { half, isOdd } from "./int.ts";

/** SHA-256's output size; hash.ts exports the same value as HASH_SIZE (this file cannot import node:crypto through it). */
const HASH_BYTES = 32;

export interface InclusionInput {
  leafHash: Uint8Array;
  index: number;
  size: number;
  proof: Uint8Array[];
}

export function proofFail(reason: string, details: Record<string, unknown> = {}): never {
  throw new MaestroError("proof_invalid", reason, { details: { reason, ...details } });
}

export function checkProofInt(n: unknown, name: string): number {
  if (typeof n !== "number" || !Number.isSafeInteger(n) || n < 0) {
    proofFail(`${name} is not a non-negative safe integer`, { [name]: String(n) });
  }
  return n;
}

export function checkProofElements(proof: unknown): Uint8Array[] {
  if (!Array.isArray(proof)) proofFail("proof is not an array");
  proof.forEach((p, i) => {
    if (!(p instanceof Uint8Array) || p.length !== HASH_BYTES) {
      proofFail(`proof element ${i} is not a ${HASH_BYTES}-byte hash`, { element: i });
    }
  });
  return proof;
}

/**
 * Steps 1–5 of RFC 9162 §2.1.3.2 with the hashing left to the caller: checks the input and returns, for each proof
 * element in order, true when it is the left operand (r = HASH(0x01 || p || r), step 4b.i) and false when it is the
 * right one (r = HASH(0x01 || r || p)). The path length is fixed by (index, size), so a wrong length fails here.
 */
export function inclusionWalk(input: InclusionInput): boolean[] {
  const index = checkProofInt(input.index, "index");
  const size = checkProofInt(input.size, "size");
  if (index >= size) proofFail(`index ${index} is out of range for tree size ${size}`, { index, size }); // step 1
  if (!(input.leafHash instanceof Uint8Array) || input.leafHash.length !== HASH_BYTES) {
    proofFail(`leaf hash is not a ${HASH_BYTES}-byte hash`);
  }
  const proof = checkProofElements(input.proof);
  const left: boolean[] = [];
  let fn = index; // step 2
  let sn = size - 1;
  // Step 4 runs once per proof element until sn reaches 0 (step 5): the walk's length is the proof's expected length.
  while (sn !== 0) {
    if (isOdd(fn) || fn === sn) {
      left.push(true); // 4b.i
      while (!isOdd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      left.push(false);
    }
    fn = half(fn); // 4c
    sn = half(sn);
  }
  if (proof.length !== left.length) {
    proofFail(`wrong proof length: expected ${left.length}, got ${proof.length}`, { expected: left.length, got: proof.length });
  }
  return left;
}
