// The memoized inclusion verifier accepts exactly the proofs the reference RFC 9162 verifier accepts, in any order.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { leafHash, toBase64 } from "../../ledger/core/index.ts";
import { makeLeaves, refPath, refRoot } from "../../ledger/core/test-support.ts";
import { InclusionVerifier } from "./inclusion-memo.ts";
import { itemAt } from "../../common/present.ts";

describe("InclusionVerifier", () => {
  it("accepts every valid proof of a tree, whatever the order", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 70 }), fc.integer({ min: 0, max: 1000 }), (size, seed) => {
        const leaves = makeLeaves(size, seed); // leaf hashes
        const verifier = new InclusionVerifier(size, refRoot(leaves));
        const order = [...leaves.keys()].sort((a, b) => ((a * 7919 + seed) % size) - ((b * 7919 + seed) % size));
        for (const i of order) verifier.verify(itemAt(leaves, i, "leaves"), i, refPath(i, leaves).map(toBase64));
      }),
      { numRuns: 60 },
    );
  });

  it("rejects a changed element anywhere in a later proof, even once the path is proven", () => {
    const leaves = makeLeaves(37, 3);
    const data = leaves;
    const root = refRoot(leaves);
    for (let i = 0; i < 37; i++) {
      const path = refPath(i, data).map(toBase64);
      for (let k = 0; k < path.length; k++) {
        const verifier = new InclusionVerifier(37, root);
        for (let j = 0; j < 37; j++) if (j !== i) verifier.verify(itemAt(leaves, j, "leaves"), j, refPath(j, data).map(toBase64));
        const bad = [...path];
        bad[k] = toBase64(leafHash(new Uint8Array([k, i])));
        expect(() => verifier.verify(itemAt(leaves, i, "leaves"), i, bad), `leaf ${i} element ${k}`).toThrow();
      }
      expect(() => new InclusionVerifier(37, root).verify(itemAt(leaves, i, "leaves"), i === 0 ? 1 : 0, path)).toThrow();
    }
  });
});
