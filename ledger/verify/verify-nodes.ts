// Checks the stored interior nodes (every complete aligned subtree) level by level against the level below.
//
// Proofs are served from these nodes, so a tampered node would make the server hand out proofs that
// fail against signed checkpoints. verifyLog proves the leaves; by induction each level here is proven
// from the one under it, reading every stored node once, page by page (memory stays flat).
import { hashEquals, nodeHash, toBase64 } from "../core/index.ts";
import type { VerifyProblem } from "./types.ts";

export interface StoredHash {
  index: number;
  hash: Uint8Array;
}

/** Reads stored hashes of one level in index order; level 0 = leaf hashes. */
export type LevelReader = (level: number, from: number, limit: number) => Promise<StoredHash[]>;

const PAGE = 2048;

export async function verifyStoredNodes(size: number, read: LevelReader): Promise<VerifyProblem | null> {
  for (let level = 1; 2 ** level <= size; level++) {
    const count = Math.floor(size / 2 ** level);
    for (let from = 0; from < count; from += PAGE) {
      const limit = Math.min(PAGE, count - from);
      const [parents, children] = await Promise.all([read(level, from, limit), read(level - 1, 2 * from, 2 * limit)]);
      for (let i = 0; i < limit; i++) {
        const index = from + i;
        const parent = parents[i];
        const left = children[2 * i];
        const right = children[2 * i + 1];
        if (!parent || parent.index !== index) return problem(level, index, "is missing from storage");
        if (!left || !right || left.index !== 2 * index || right.index !== 2 * index + 1) {
          return problem(level, index, `has a missing child at level ${level - 1}`);
        }
        if (!hashEquals(parent.hash, nodeHash(left.hash, right.hash))) {
          return problem(
            level,
            index,
            `is ${toBase64(parent.hash)}, but its children hash to ${toBase64(nodeHash(left.hash, right.hash))}`,
          );
        }
      }
    }
  }
  return null;
}

function problem(level: number, index: number, what: string): VerifyProblem {
  return {
    ok: false,
    part: "node",
    index: index * 2 ** level,
    reason: `stored subtree hash at level ${level}, index ${index} (leaves ${index * 2 ** level}..${(index + 1) * 2 ** level - 1}) ${what}`,
  };
}
