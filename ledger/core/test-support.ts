// Test-only helpers: the RFC 9162 §2.1 recursive definitions verbatim and an in-memory node store.
import { itemAt } from "../../common/present.ts";
import { EMPTY_ROOT, leafHash, nodeHash } from "./hash.ts";
import type { HashReader } from "./proof-plan.ts";
import type { NodeCoord } from "./subtree.ts";
import { computeAppend, coordKey, frontierCoords } from "./subtree.ts";

function k(n: number): number {
  let p = 1;
  while (p * 2 < n) p *= 2;
  return p;
}

/** MTH(D[n]) over leaf hashes, straight from RFC 9162 §2.1.1. */
export function refRoot(leaves: Uint8Array[]): Uint8Array {
  if (leaves.length === 0) return EMPTY_ROOT;
  if (leaves.length === 1) return itemAt(leaves, 0, "leaves");
  const s = k(leaves.length);
  return nodeHash(refRoot(leaves.slice(0, s)), refRoot(leaves.slice(s)));
}

/** PATH(m, D[n]) of RFC 9162 §2.1.3.1. */
export function refPath(m: number, leaves: Uint8Array[]): Uint8Array[] {
  const n = leaves.length;
  if (n === 1) return [];
  const s = k(n);
  if (m < s) return [...refPath(m, leaves.slice(0, s)), refRoot(leaves.slice(s))];
  return [...refPath(m - s, leaves.slice(s)), refRoot(leaves.slice(0, s))];
}

/** SUBPROOF(m, D[n], b) of RFC 9162 §2.1.4.1. */
export function refSubproof(m: number, leaves: Uint8Array[], b: boolean): Uint8Array[] {
  const n = leaves.length;
  if (m === n) return b ? [] : [refRoot(leaves)];
  const s = k(n);
  if (m <= s) return [...refSubproof(m, leaves.slice(0, s), b), refRoot(leaves.slice(s))];
  return [...refSubproof(m - s, leaves.slice(s), false), refRoot(leaves.slice(0, s))];
}

export function makeLeaves(n: number, seed = 0): Uint8Array[] {
  return Array.from({ length: n }, (_, i) => leafHash(new TextEncoder().encode(`leaf ${seed}/${i}`)));
}

/** Stores every complete node, like the real storage, filled only through computeAppend. */
export class MemoryTree implements HashReader {
  readonly nodes = new Map<string, Uint8Array>();
  size = 0;
  reads = 0;

  append(leafHashes: Uint8Array[]): Uint8Array {
    const frontier = new Map<string, Uint8Array>();
    for (const c of frontierCoords(this.size)) frontier.set(coordKey(c), this.get(c));
    const { nodes, root } = computeAppend(frontier, this.size, leafHashes);
    for (const [i, h] of leafHashes.entries()) this.nodes.set(coordKey({ level: 0, index: this.size + i }), h);
    for (const n of nodes) this.nodes.set(coordKey(n), n.hash);
    this.size += leafHashes.length;
    return root;
  }

  get(c: NodeCoord): Uint8Array {
    const h = this.nodes.get(coordKey(c));
    if (!h) throw new Error(`node ${coordKey(c)} is not stored`);
    return h;
  }

  async getHashes(coords: NodeCoord[]): Promise<Uint8Array[]> {
    this.reads++;
    return coords.map((c) => this.get(c));
  }
}
