// Coordinates of complete aligned subtrees, range decomposition and append math (RFC 9162 §2.1.1).
import { itemAt } from "../../common/present.ts";
import { MaestroError } from "../../common/errors.ts";
import { EMPTY_ROOT, HASH_SIZE, nodeHash } from "./hash.ts";
import { assertIndex, ceilPow2, floorPow2, log2Exact, pow2 } from "./int.ts";

/** The hash of leaves [index·2^level, (index+1)·2^level): level 0 = leaf hashes. */
export type NodeCoord = { level: number; index: number };
export type NodeHash = NodeCoord & { hash: Uint8Array };

export function coordKey(c: NodeCoord): string {
  return `${c.level}/${c.index}`;
}

/**
 * Minimal left-to-right split of [start, end) into complete aligned subtrees. Any range that the
 * MTH recursion (RFC 9162 §2.1.1) visits starts at a multiple of the next power of two >= its
 * length, and then the pieces are exactly the binary digits of the length, largest first, and
 * MTH(range) = right fold of the pieces (see foldRight). Other ranges are refused: their right
 * fold is not any MTH, so a caller using one is confused.
 */
export function rangeCoords(start: number, end: number): NodeCoord[] {
  assertIndex(start, "start");
  assertIndex(end, "end");
  if (end < start) {
    throw new MaestroError("bad_request", "range end is before start", { field: "end", details: { start, end } });
  }
  if (end === start) return [];
  if (start % ceilPow2(end - start) !== 0) {
    throw new MaestroError("bad_request", "range is not a subtree the RFC 6962 recursion produces", {
      field: "start",
      details: { start, end },
    });
  }
  const out: NodeCoord[] = [];
  let pos = start;
  while (pos < end) {
    let width = floorPow2(end - pos);
    while (pos % width !== 0) width /= 2; // never loops for valid ranges; kept for safety
    const level = log2Exact(width);
    out.push({ level, index: pos / width });
    pos += width;
  }
  return out;
}

/** The subtrees whose right fold is MTH(D[0:size]); for size 0 the root is EMPTY_ROOT. */
export function rootCoords(size: number): NodeCoord[] {
  return rangeCoords(0, size);
}

/** What an appender must keep: the peaks of the tree, i.e. rootCoords(size). */
export function frontierCoords(size: number): NodeCoord[] {
  return rootCoords(size);
}

/** h = last; for i from len-2 down to 0: h = nodeHash(hashes[i], h) — RFC 9162 §2.1.1 right nesting. */
export function foldRight(hashes: Uint8Array[]): Uint8Array {
  if (hashes.length === 0) throw new MaestroError("internal", "cannot fold an empty list of hashes");
  let h = itemAt(hashes, hashes.length - 1, "hashes");
  for (let i = hashes.length - 2; i >= 0; i--) h = nodeHash(itemAt(hashes, i, "hashes"), h);
  return h;
}

/**
 * Interior nodes (level >= 1) that become complete when the size grows from oldSize to newSize,
 * by level then index: a node's children are at the level below, so each is either listed
 * earlier or was already complete at oldSize.
 */
export function newNodesForAppend(oldSize: number, newSize: number): NodeCoord[] {
  assertIndex(oldSize, "oldSize");
  assertIndex(newSize, "newSize");
  if (newSize < oldSize) {
    throw new MaestroError("bad_request", "newSize is smaller than oldSize", {
      field: "newSize",
      details: { oldSize, newSize },
    });
  }
  const out: NodeCoord[] = [];
  for (let level = 1; pow2(level) <= newSize; level++) {
    const width = pow2(level);
    const first = Math.floor(oldSize / width); // complete at oldSize: indexes < first
    const last = Math.floor(newSize / width); // complete at newSize: indexes < last
    for (let index = first; index < last; index++) out.push({ level, index });
  }
  return out;
}

/**
 * Hashes every node created by appending `newLeafHashes` after `oldSize` leaves. A complete node
 * whose parent is incomplete is a peak, so every old child of a new node (and every old piece of
 * the new root) is in rootCoords(oldSize): `frontier` needs only those O(log n) hashes.
 */
export function computeAppend(
  frontier: Map<string, Uint8Array>,
  oldSize: number,
  newLeafHashes: Uint8Array[],
): { nodes: NodeHash[]; root: Uint8Array } {
  assertIndex(oldSize, "oldSize");
  const known = new Map<string, Uint8Array>();
  for (const c of frontierCoords(oldSize)) {
    const h = frontier.get(coordKey(c));
    if (!h || h.length !== HASH_SIZE) {
      throw new MaestroError("bad_request", `frontier hash ${coordKey(c)} is missing or not 32 bytes`, {
        field: "frontier",
        details: { coord: coordKey(c), oldSize },
      });
    }
    known.set(coordKey(c), h);
  }
  newLeafHashes.forEach((h, i) => {
    if (h.length !== HASH_SIZE) {
      throw new MaestroError("bad_request", `leaf hash ${i} is not 32 bytes`, { field: `newLeafHashes/${i}` });
    }
    known.set(coordKey({ level: 0, index: oldSize + i }), h);
  });
  const newSize = oldSize + newLeafHashes.length;
  assertIndex(newSize, "newSize");
  const nodes: NodeHash[] = [];
  for (const c of newNodesForAppend(oldSize, newSize)) {
    const left = known.get(coordKey({ level: c.level - 1, index: 2 * c.index }));
    const right = known.get(coordKey({ level: c.level - 1, index: 2 * c.index + 1 }));
    if (!left || !right) throw new MaestroError("internal", `append order broken at ${coordKey(c)}`);
    const hash = nodeHash(left, right);
    known.set(coordKey(c), hash);
    nodes.push({ ...c, hash });
  }
  const peaks = rootCoords(newSize).map((c) => known.get(coordKey(c)) as Uint8Array);
  return { nodes, root: peaks.length === 0 ? EMPTY_ROOT : foldRight(peaks) };
}
