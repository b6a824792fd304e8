import { describe, expect, it } from "vitest";
import { computeAppend, leafHash } from "../core/index.ts";
import { CompactRange } from "./compact-range.ts";
import { type StoredHash, StoredNodeCheck } from "./verify-nodes.ts";
import { itemAt, present } from "../../common/present.ts";

/** The nodes the writer stores for `size` leaves (computeAppend, one leaf at a time), by level. */
function storedTree(size: number): { leaves: Uint8Array[]; levels: Map<number, StoredHash[]> } {
  const leaves = Array.from({ length: size }, (_, i) => leafHash(new TextEncoder().encode(`leaf ${i}`)));
  const { nodes } = computeAppend(new Map(), 0, leaves);
  const levels = new Map<number, StoredHash[]>();
  for (const n of nodes) {
    if (!levels.has(n.level)) levels.set(n.level, []);
    levels.get(n.level)!.push({ index: n.index, hash: n.hash });
  }
  for (const list of levels.values()) list.sort((a, b) => a.index - b.index);
  return { leaves, levels };
}

/** Appends every leaf, comparing after every `pageOfLeaves` of them as verifyLog does between pages. */
async function check(leaves: Uint8Array[], levels: Map<number, StoredHash[]>, page: number, pageOfLeaves = 7) {
  const reads: Array<[number, number, number]> = [];
  const nodes = new StoredNodeCheck(async (level, from, limit) => {
    reads.push([level, from, limit]);
    return (levels.get(level) ?? []).filter((h) => h.index >= from).slice(0, limit);
  }, page);
  const range = new CompactRange();
  for (let i = 0; i < leaves.length; i++) {
    range.append(itemAt(leaves, i, "leaves"), nodes.computed);
    if ((i + 1) % pageOfLeaves === 0) await nodes.compare(false);
  }
  await nodes.compare(true);
  return { problem: nodes.problem, reads };
}

describe("stored interior nodes against the tree computed from the leaves", () => {
  it("passes the writer's own nodes, reading each level's nodes once, in pages", async () => {
    const { leaves, levels } = storedTree(100);
    const { problem, reads } = await check(leaves, levels, 8);
    expect(problem).toBeNull();
    // 50 + 25 + 12 + 6 + 3 + 1 nodes in pages of at most 8: every node read exactly once, level 0 never.
    const read = new Map<number, number>();
    for (const [level, , limit] of reads) read.set(level, (read.get(level) ?? 0) + limit);
    expect(Object.fromEntries(read)).toEqual({ 1: 50, 2: 25, 3: 12, 4: 6, 5: 3, 6: 1 });
    expect(reads.every(([, , limit]) => limit <= 8)).toBe(true);
  });

  it("names level, index and leaves of a changed node", async () => {
    const { leaves, levels } = storedTree(100);
    const node = itemAt(present(levels.get(3), "level 3"), 5, "level 3");
    node.hash = node.hash.map((byte, i) => (i === 0 ? byte ^ 1 : byte));
    const { problem } = await check(leaves, levels, 4);
    expect(problem).toMatchObject({ ok: false, part: "node", index: 40 });
    expect(problem?.reason).toMatch(/level 3, index 5 \(leaves 40\.\.47\) is .*, but the entries below it hash to /);
  });

  it("names a node missing from storage, at the end of a level too", async () => {
    const { leaves, levels } = storedTree(64);
    levels.set(
      1,
      levels.get(1)!.filter((h) => h.index !== 31),
    );
    const { problem } = await check(leaves, levels, 16);
    expect(problem).toMatchObject({ part: "node", index: 62 });
    expect(problem?.reason).toMatch(/level 1, index 31 \(leaves 62\.\.63\) is missing from storage/);
  });

  it("reports the first difference only and stops reading", async () => {
    const { leaves, levels } = storedTree(40);
    levels.set(2, []);
    const { problem, reads } = await check(leaves, levels, 4);
    expect(problem).toMatchObject({ part: "node", index: 0 });
    const failing = reads.findIndex(([level]) => level === 2);
    expect(failing).toBeGreaterThanOrEqual(0);
    expect(reads.slice(failing + 1)).toEqual([]);
  });
});
