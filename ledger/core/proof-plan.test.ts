// Tests for proof plans: RFC 9162 PATH/SUBPROOF equality, O(log n) size, batching and input errors.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { MaestroError } from "../../common/errors.ts";
import { EMPTY_ROOT } from "./hash.ts";
import { buildConsistencyProof, buildInclusionProof, computeRoot, consistencyPlan, inclusionPlan, planCoords } from "./proof-plan.ts";
import { MemoryTree, makeLeaves, refPath, refRoot, refSubproof } from "./test-support.ts";

const leaves = makeLeaves(70);
const tree = new MemoryTree();
tree.append(leaves);

describe("plans equal the RFC 9162 recursion", () => {
  it("inclusion: every (index, size) with size <= 70", async () => {
    for (let n = 1; n <= 70; n++) {
      for (let m = 0; m < n; m++) {
        expect(await buildInclusionProof(tree, m, n)).toEqual(refPath(m, leaves.slice(0, n)));
      }
    }
  });

  it("consistency: every 0 < m <= n <= 70", async () => {
    for (let n = 1; n <= 70; n++) {
      for (let m = 1; m <= n; m++) {
        const want = m === n ? [] : refSubproof(m, leaves.slice(0, n), true);
        expect(await buildConsistencyProof(tree, m, n)).toEqual(want);
      }
    }
  });

  it("computeRoot: every size <= 70, EMPTY_ROOT for 0", async () => {
    for (let n = 0; n <= 70; n++) expect(await computeRoot(tree, n)).toEqual(refRoot(leaves.slice(0, n)));
    expect(await computeRoot(tree, 0)).toEqual(EMPTY_ROOT);
  });

  it("fetches once per proof", async () => {
    const t = new MemoryTree();
    t.append(leaves);
    await buildInclusionProof(t, 5, 70);
    await buildConsistencyProof(t, 13, 70);
    expect(t.reads).toBe(2);
    await buildInclusionProof(t, 0, 1); // empty proof: no storage round trip
    expect(t.reads).toBe(2);
  });
});

describe("plan size is O(log n) for huge trees", () => {
  const bound = (n: number) => 2 * Math.log2(n) + 2;
  const count = (plan: unknown[][]) => plan.reduce((s, e) => s + e.length, 0);

  it("inclusion and consistency up to 2^40 and 2^53-1", () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.integer({ min: 1, max: 2 ** 40 }), fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER })),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (n, f) => {
          const m = Math.min(n - 1, Math.floor(f * n));
          const ip = inclusionPlan(m, n);
          expect(count(ip)).toBeLessThanOrEqual(bound(n));
          expect(planCoords(ip).length).toBeLessThanOrEqual(count(ip));
          const cp = consistencyPlan(Math.max(1, m), n);
          expect(count(cp)).toBeLessThanOrEqual(bound(n));
          for (const el of [...ip, ...cp]) for (const c of el) expect((c.index + 1) * 2 ** c.level).toBeLessThanOrEqual(n);
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe("input errors", () => {
  const code = (f: () => unknown) => {
    try {
      f();
    } catch (e) {
      return [(e as MaestroError).code, (e as MaestroError).field];
    }
    return null;
  };

  it("rejects out-of-range and malformed inputs with bad_request and the field", () => {
    expect(code(() => inclusionPlan(5, 5))).toEqual(["bad_request", "index"]);
    expect(code(() => inclusionPlan(0, 0))).toEqual(["bad_request", "index"]);
    expect(code(() => inclusionPlan(-1, 5))).toEqual(["bad_request", "index"]);
    expect(code(() => inclusionPlan(1.5, 5))).toEqual(["bad_request", "index"]);
    expect(code(() => inclusionPlan(0, 2 ** 53))).toEqual(["bad_request", "size"]);
    expect(code(() => consistencyPlan(0, 5))).toEqual(["bad_request", "from"]);
    expect(code(() => consistencyPlan(6, 5))).toEqual(["bad_request", "from"]);
    expect(code(() => consistencyPlan(1, Number.NaN))).toEqual(["bad_request", "to"]);
    expect(consistencyPlan(5, 5)).toEqual([]);
    expect(inclusionPlan(0, 1)).toEqual([]);
  });
});
