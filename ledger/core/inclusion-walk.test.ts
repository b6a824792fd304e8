// The hash-free inclusion walk: its length is RFC 9162's PATH length, and a fold over it with an asynchronous
// WebCrypto SHA-256 (as the console does it) reaches the same root as the node:crypto verifier.
import { describe, expect, it } from "vitest";
import { HASH_SIZE } from "./hash.ts";
import { inclusionWalk } from "./inclusion-walk.ts";
import { inclusionPlan } from "./proof-plan.ts";
import { rootFromInclusionProof } from "./proof-verify.ts";
import { makeLeaves, refPath, refRoot } from "./test-support.ts";

async function webCryptoNode(left: Uint8Array, right: Uint8Array): Promise<Uint8Array> {
  const bytes = new Uint8Array(1 + left.length + right.length);
  bytes.set([1], 0);
  bytes.set(left, 1);
  bytes.set(right, 1 + left.length);
  return new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
}

describe("inclusionWalk", () => {
  it("has one step per element of RFC 9162's PATH for every index of trees up to 70 leaves", () => {
    for (let size = 1; size <= 70; size++)
      for (let index = 0; index < size; index++) {
        const walk = inclusionWalk({
          leafHash: new Uint8Array(HASH_SIZE),
          index,
          size,
          proof: inclusionPlan(index, size).map(() => new Uint8Array(HASH_SIZE)),
        });
        expect(walk.length, `${index}/${size}`).toBe(inclusionPlan(index, size).length);
      }
  });

  it("folded with WebCrypto reaches the tree's root, the same as the node:crypto verifier", async () => {
    const leaves = makeLeaves(37, 5);
    const root = refRoot(leaves);
    for (const index of [0, 1, 16, 31, 32, 36]) {
      const input = { leafHash: leaves[index]!, index, size: leaves.length, proof: refPath(index, leaves) };
      const left = inclusionWalk(input);
      let r = input.leafHash;
      for (const [i, p] of input.proof.entries()) r = left[i] ? await webCryptoNode(p, r) : await webCryptoNode(r, p);
      expect(r).toEqual(root);
      expect(rootFromInclusionProof(input)).toEqual(root);
    }
  });

  it("refuses what the verifier refuses, with the same reasons, before any hashing", () => {
    const leaves = makeLeaves(11);
    const base = { leafHash: leaves[3]!, index: 3, size: 11, proof: refPath(3, leaves) };
    expect(() => inclusionWalk({ ...base, proof: base.proof.slice(1) })).toThrow(/wrong proof length: expected 4, got 3/);
    expect(() => inclusionWalk({ ...base, index: 11 })).toThrow(/out of range/);
    expect(() => inclusionWalk({ ...base, leafHash: new Uint8Array(HASH_SIZE - 1) })).toThrow(/leaf hash is not a 32-byte hash/);
    expect(() => inclusionWalk({ ...base, proof: [new Uint8Array(HASH_SIZE + 1), ...base.proof.slice(1)] })).toThrow(/proof element 0/);
    expect(() => inclusionWalk({ ...base, size: -1 })).toThrow(/safe integer/);
  });
});
