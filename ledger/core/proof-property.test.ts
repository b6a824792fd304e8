// Property tests: trees built by computeAppend in random batches agree with merkletreejs and verify.
import { createHash } from "node:crypto";
import fc from "fast-check";
import { MerkleTree } from "merkletreejs";
import { describe, expect, it } from "vitest";
import type { MaestroError } from "../../common/errors.ts";
import { buildConsistencyProof, buildInclusionProof, computeRoot, consistencyPlan } from "./proof-plan.ts";
import { rootFromInclusionProof, verifyConsistency, verifyInclusion } from "./proof-verify.ts";
import { MemoryTree, makeLeaves, refRoot } from "./test-support.ts";
import { itemAt } from "../../common/present.ts";

const sha256 = (b: Buffer) => createHash("sha256").update(b).digest();

/**
 * merkletreejs as RFC 6962: leaves passed pre-hashed (0x00 prefix), interior nodes hashed over
 * 0x01‖l‖r via the concatenator, and the defaults isBitcoinTree/duplicateOdd/sortPairs/sortLeaves/
 * complete = false, under which an unpaired last node is promoted unchanged to the next layer —
 * the same tree as RFC 9162 §2.1.1's largest-power-of-two split.
 */
function merkletreejsRoot(leafHashes: Uint8Array[]): Uint8Array {
  const tree = new MerkleTree(
    leafHashes.map((h) => Buffer.from(h)),
    sha256,
    {
      concatenator: (bufs: Buffer[]) => Buffer.concat([Buffer.from([1]), ...bufs]),
    },
  );
  return new Uint8Array(tree.getRoot());
}

function flipBit(proof: Uint8Array[], i: number, bit: number): Uint8Array[] {
  return proof.map((p, j) => {
    if (j !== i) return p;
    return p.map((byte, k) => (k === bit >> 3 ? byte ^ (1 << (bit & 7)) : byte));
  });
}

function rejects(f: () => void): boolean {
  try {
    f();
    return false;
  } catch (e) {
    expect((e as MaestroError).code).toBe("proof_invalid");
    return true;
  }
}

/** A size and a random split of it into append batches. */
const sizeAndBatches = fc
  .integer({ min: 1, max: 600 })
  .chain((n) => fc.tuple(fc.constant(n), fc.array(fc.integer({ min: 1, max: n }), { maxLength: 8 })));

function buildTree(n: number, cuts: number[]): { tree: MemoryTree; leaves: Uint8Array[]; roots: Uint8Array[] } {
  const leaves = makeLeaves(n, n);
  const tree = new MemoryTree();
  const roots: Uint8Array[] = [];
  const points = [...new Set([...cuts, n])].sort((a, b) => a - b);
  for (const p of points) {
    roots[p] = tree.append(leaves.slice(tree.size, p));
  }
  return { tree, leaves, roots };
}

describe("merkletreejs agrees with RFC 6962 under this configuration", () => {
  it("for every size 1..300 (promotion of the unpaired node, not duplication)", () => {
    const leaves = makeLeaves(300);
    for (let n = 1; n <= 300; n++) expect(merkletreejsRoot(leaves.slice(0, n))).toEqual(refRoot(leaves.slice(0, n)));
  });

  it("and the options that would differ really do differ (size 5)", () => {
    const l = makeLeaves(5).map((h) => Buffer.from(h));
    const concatenator = (bufs: Buffer[]) => Buffer.concat([Buffer.from([1]), ...bufs]);
    const ref = refRoot(makeLeaves(5));
    expect(new Uint8Array(new MerkleTree(l, sha256, { concatenator }).getRoot())).toEqual(ref);
    for (const opt of [{ duplicateOdd: true }, { isBitcoinTree: true }, { complete: true }]) {
      const root = new Uint8Array(new MerkleTree(l, sha256, { concatenator, ...opt }).getRoot());
      expect(root, JSON.stringify(opt)).not.toEqual(ref);
    }
  });
});

describe("random trees", () => {
  it("roots, inclusion and consistency proofs verify; mutations are rejected", async () => {
    await fc.assert(
      fc.asyncProperty(sizeAndBatches, fc.nat(), fc.nat(), fc.nat(), async ([n, cuts], ri, rm, rbit) => {
        const { tree, leaves, roots } = buildTree(n, cuts);
        const root = merkletreejsRoot(leaves);
        expect(roots[n]).toEqual(root);
        expect(await computeRoot(tree, n)).toEqual(root);

        const index = ri % n;
        const proof = await buildInclusionProof(tree, index, n);
        const ok = { leafHash: itemAt(leaves, index, "leaves"), index, size: n, proof, root };
        verifyInclusion(ok);
        expect(rootFromInclusionProof(ok)).toEqual(root);
        if (proof.length > 0) {
          const e = rbit % proof.length;
          expect(rejects(() => verifyInclusion({ ...ok, proof: flipBit(proof, e, rbit % 256) }))).toBe(true);
          expect(rejects(() => verifyInclusion({ ...ok, proof: proof.slice(1) }))).toBe(true);
          expect(rejects(() => verifyInclusion({ ...ok, index: (index + 1) % n }))).toBe(true);
        }
        expect(rejects(() => verifyInclusion({ ...ok, proof: [...proof, root] }))).toBe(true);
        // A size change that keeps the path shape (e.g. 5 -> 6 for index 0) is not detectable by
        // the proof alone; doubling always adds a level, as in the vectors' treeSize-mul-@2.
        expect(rejects(() => verifyInclusion({ ...ok, size: 2 * n }))).toBe(true);
        expect(rejects(() => verifyInclusion({ ...ok, size: index }))).toBe(true);
        expect(rejects(() => verifyInclusion({ ...ok, leafHash: itemAt(leaves, (index + 1) % n, "leaves") }))).toBe(n > 1);

        const m = 1 + (rm % n);
        const root1 = refRoot(leaves.slice(0, m));
        const cproof = await buildConsistencyProof(tree, m, n);
        const cok = { size1: m, size2: n, root1, root2: root, proof: cproof };
        verifyConsistency(cok);
        if (cproof.length > 0) {
          const e = rbit % cproof.length;
          expect(rejects(() => verifyConsistency({ ...cok, proof: flipBit(cproof, e, rbit % 256) }))).toBe(true);
          expect(rejects(() => verifyConsistency({ ...cok, proof: cproof.slice(0, -1) }))).toBe(true);
        }
        // Sizes enter only through the proof's shape (e.g. 1 -> 9 and 1 -> 10 look alike), so a
        // size mutation must be rejected whenever it changes the shape the verifier expects.
        for (const [s1, s2] of [
          [m - 1, n],
          [m + 1, n],
          [m, n + 1],
          [m, 2 * n],
          [m ^ 2, n],
        ] as const) {
          if (s1 < 1 || s1 > s2 || (s1 === m && s2 === n)) continue;
          if (consistencyPlan(s1, s2).length !== cproof.length) {
            expect(
              rejects(() => verifyConsistency({ ...cok, size1: s1, size2: s2 })),
              `${s1},${s2}`,
            ).toBe(true);
          }
        }
        expect(rejects(() => verifyConsistency({ ...cok, root1: root1.map((b, i) => (i === 0 ? b ^ 1 : b)) }))).toBe(true);
        expect(rejects(() => verifyConsistency({ ...cok, root2: root.map((b, i) => (i === 31 ? b ^ 1 : b)) }))).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});

describe("precise failure reasons", () => {
  const leaves = makeLeaves(11);
  const tree = new MemoryTree();
  const root = tree.append(leaves);

  it("names the failing step", async () => {
    const proof = await buildInclusionProof(tree, 3, 11);
    const base = { leafHash: itemAt(leaves, 3, "leaves"), index: 3, size: 11, proof, root };
    const reason = (f: () => void) => {
      try {
        f();
      } catch (e) {
        return (e as MaestroError).message;
      }
      return "accepted";
    };
    expect(reason(() => verifyInclusion(base))).toBe("accepted");
    expect(reason(() => verifyInclusion({ ...base, index: 11 }))).toMatch(/out of range/);
    expect(reason(() => verifyInclusion({ ...base, proof: proof.slice(1) }))).toMatch(/wrong proof length: expected 4, got 3/);
    expect(reason(() => verifyInclusion({ ...base, root: itemAt(leaves, 0, "leaves") }))).toMatch(/root mismatch/);
    expect(reason(() => verifyInclusion({ ...base, proof: [new Uint8Array(3), ...proof.slice(1)] }))).toMatch(/proof element 0/);
    expect(reason(() => verifyInclusion({ ...base, index: 2 ** 64 }))).toMatch(/safe integer/);
    const cproof = await buildConsistencyProof(tree, 6, 11);
    const root1 = refRoot(leaves.slice(0, 6));
    const cbase = { size1: 6, size2: 11, root1, root2: root, proof: cproof };
    expect(reason(() => verifyConsistency(cbase))).toBe("accepted");
    expect(reason(() => verifyConsistency({ ...cbase, root1: root }))).toMatch(/root1 mismatch/);
    expect(reason(() => verifyConsistency({ ...cbase, root2: root1 }))).toMatch(/root2 mismatch/);
    expect(reason(() => verifyConsistency({ ...cbase, size1: 0 }))).toMatch(/empty tree/);
    expect(reason(() => verifyConsistency({ ...cbase, size1: 12 }))).toMatch(/larger/);
    expect(reason(() => verifyConsistency({ ...cbase, size1: 11, proof: [] }))).toMatch(/equal sizes with different roots/);
  });
});
