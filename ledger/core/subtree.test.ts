// Tests for range decomposition and append math against the RFC 9162 §2.1.1 recursion.
import { describe, expect, it } from "vitest";
import { MaestroError } from "../../common/errors.ts";
import { EMPTY_ROOT } from "./hash.ts";
import type { NodeCoord } from "./subtree.ts";
import { computeAppend, coordKey, foldRight, frontierCoords, newNodesForAppend, rangeCoords, rootCoords } from "./subtree.ts";
import { MemoryTree, makeLeaves, refRoot } from "./test-support.ts";
import { present } from "../../common/present.ts";

/** Every [a, b) range the MTH recursion visits for a tree of n leaves. */
function mthRanges(a: number, b: number, out: Array<[number, number]> = []): Array<[number, number]> {
  out.push([a, b]);
  if (b - a > 1) {
    let k = 1;
    while (k * 2 < b - a) k *= 2;
    mthRanges(a, a + k, out);
    mthRanges(a + k, b, out);
  }
  return out;
}

/** Hash of a complete node straight from the leaves. */
function nodeFromLeaves(leaves: Uint8Array[], c: NodeCoord): Uint8Array {
  const w = 2 ** c.level;
  return refRoot(leaves.slice(c.index * w, (c.index + 1) * w));
}

describe("rangeCoords", () => {
  it("folds to MTH for every range the recursion visits (n <= 70)", () => {
    const leaves = makeLeaves(70);
    for (let n = 1; n <= 70; n++) {
      for (const [a, b] of mthRanges(0, n)) {
        const coords = rangeCoords(a, b);
        expect(coords.length).toBeLessThanOrEqual(Math.ceil(Math.log2(b - a + 1)));
        const pieces = coords.map((c) => nodeFromLeaves(leaves, c));
        expect(foldRight(pieces)).toEqual(refRoot(leaves.slice(a, b)));
      }
    }
  });

  it("pieces are contiguous, complete, aligned and largest first", () => {
    expect(rangeCoords(0, 13)).toEqual([
      { level: 3, index: 0 },
      { level: 2, index: 2 },
      { level: 0, index: 12 },
    ]);
    expect(rangeCoords(8, 13)).toEqual([
      { level: 2, index: 2 },
      { level: 0, index: 12 },
    ]);
    expect(rootCoords(0)).toEqual([]);
    expect(frontierCoords(16)).toEqual([{ level: 4, index: 0 }]);
  });

  it("works for sizes near 2^53 without materializing anything", () => {
    const n = Number.MAX_SAFE_INTEGER;
    const coords = rootCoords(n);
    expect(coords.length).toBe(53);
    expect(coords[0]).toEqual({ level: 52, index: 0 });
    expect(coords[52]).toEqual({ level: 0, index: n - 1 });
  });

  it("rejects ranges the recursion cannot produce and bad numbers", () => {
    for (const [a, b] of [
      [1, 4],
      [2, 5],
      [3, 2],
      [-1, 2],
      [0.5, 2],
      [0, 2 ** 53],
    ] as const) {
      expect(() => rangeCoords(a, b), `${a},${b}`).toThrow(MaestroError);
    }
  });
});

describe("newNodesForAppend", () => {
  it("lists exactly the nodes that become complete, children first", () => {
    const complete = (size: number) => {
      const s = new Set<string>();
      for (let level = 1; 2 ** level <= size; level++) {
        for (let i = 0; (i + 1) * 2 ** level <= size; i++) s.add(`${level}/${i}`);
      }
      return s;
    };
    for (let m = 0; m <= 40; m++) {
      for (let n = m; n <= 40; n++) {
        const got = newNodesForAppend(m, n).map(coordKey);
        const before = complete(m);
        const want = [...complete(n)].filter((k) => !before.has(k));
        expect(new Set(got)).toEqual(new Set(want));
        expect(got.length).toBe(want.length);
        const seen = new Set(before);
        for (let i = 0; i < m; i++) seen.add(`0/${i}`);
        for (let i = m; i < n; i++) seen.add(`0/${i}`);
        for (const c of newNodesForAppend(m, n)) {
          expect(seen.has(`${c.level - 1}/${2 * c.index}`)).toBe(true);
          expect(seen.has(`${c.level - 1}/${2 * c.index + 1}`)).toBe(true);
          seen.add(coordKey(c));
        }
      }
    }
  });
});

describe("computeAppend", () => {
  it("matches MTH and per-node hashes for every split of 1..48 leaves into two batches", () => {
    const leaves = makeLeaves(48);
    for (let n = 0; n <= 48; n++) {
      for (let m = 0; m <= n; m++) {
        const t = new MemoryTree();
        t.append(leaves.slice(0, m));
        const root = t.append(leaves.slice(m, n));
        expect(root).toEqual(refRoot(leaves.slice(0, n)));
      }
    }
    const t = new MemoryTree();
    t.append(leaves);
    for (const key of t.nodes.keys()) {
      const [level, index] = key.split("/").map(Number);
      expect(t.nodes.get(key)).toEqual(
        nodeFromLeaves(leaves, { level: present(level, `${key}'s level`), index: present(index, `${key}'s index`) }),
      );
    }
  });

  it("returns EMPTY_ROOT for an empty tree and the old root for an empty batch", () => {
    expect(computeAppend(new Map(), 0, []).root).toEqual(EMPTY_ROOT);
    const t = new MemoryTree();
    const r = t.append(makeLeaves(5));
    expect(t.append([])).toEqual(r);
  });

  it("rejects a missing frontier hash with the coordinate", () => {
    try {
      computeAppend(new Map(), 5, makeLeaves(1));
      expect.unreachable();
    } catch (e) {
      expect((e as MaestroError).code).toBe("bad_request");
      expect((e as MaestroError).details?.coord).toBe("2/0");
    }
    expect(() => computeAppend(new Map(), 0, [new Uint8Array(31)])).toThrow(/not 32 bytes/);
  });
});
