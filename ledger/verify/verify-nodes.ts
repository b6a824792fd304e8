// Checks the stored interior nodes (every complete aligned subtree) against the tree the verifier computes from the
// leaves as it reads them.
//
// Proofs are served from these nodes, so a tampered node would make the server hand out proofs that fail against
// signed checkpoints. Each merge the compact range makes while appending a leaf is exactly one stored node, so the
// check compares the two streams level by level, page by page: every stored node is read once and nothing is hashed
// twice (checking each level against the one below read every level twice, the leaf hashes once more, and hashed
// every node again after the log check). Memory stays at about a page per level.
import { hashEquals, toBase64 } from "../core/index.ts";
import type { VerifyProblem } from "./types.ts";
import { itemAt } from "../../common/present.ts";

export interface StoredHash {
  index: number;
  hash: Uint8Array;
}

/** Reads stored hashes of one level in index order; level 0 = leaf hashes. */
export type LevelReader = (level: number, from: number, limit: number) => Promise<StoredHash[]>;

const PAGE = 2048;

export class StoredNodeCheck {
  readonly #read: LevelReader;
  readonly #page: number;
  /** Per level ≥ 1: computed hashes not yet compared, the first at index `from`. */
  readonly #pending = new Map<number, { from: number; hashes: Uint8Array[] }>();
  #problem: VerifyProblem | null = null;

  constructor(read: LevelReader, page = PAGE) {
    this.#read = read;
    this.#page = page;
  }

  /** The first stored node found to differ from the computed tree, or null. */
  get problem(): VerifyProblem | null {
    return this.#problem;
  }

  /** A node the compact range computed; nodes of one level arrive in index order. */
  readonly computed = (level: number, index: number, hash: Uint8Array): void => {
    if (this.#problem) return;
    let pending = this.#pending.get(level);
    if (!pending) this.#pending.set(level, (pending = { from: index, hashes: [] }));
    pending.hashes.push(hash);
  };

  /** Compares every full page of computed nodes with the stored ones; with `all`, what is left too (the log's end). */
  async compare(all: boolean): Promise<void> {
    for (const [level, pending] of this.#pending) {
      while (!this.#problem && pending.hashes.length >= (all ? 1 : this.#page)) {
        const limit = Math.min(this.#page, pending.hashes.length);
        const stored = await this.#read(level, pending.from, limit);
        for (let i = 0; i < limit && !this.#problem; i++) {
          const index = pending.from + i;
          const row = stored[i];
          const expected = itemAt(pending.hashes, i, "hashes pending at this level");
          if (!row || row.index !== index) this.#problem = problem(level, index, "is missing from storage");
          else if (!hashEquals(row.hash, expected)) {
            this.#problem = problem(level, index, `is ${toBase64(row.hash)}, but the entries below it hash to ${toBase64(expected)}`);
          }
        }
        pending.hashes.splice(0, limit);
        pending.from += limit;
      }
      if (this.#problem) break;
    }
    if (this.#problem) this.#pending.clear();
  }
}

function problem(level: number, index: number, what: string): VerifyProblem {
  return {
    ok: false,
    part: "node",
    index: index * 2 ** level,
    reason: `stored subtree hash at level ${level}, index ${index} (leaves ${index * 2 ** level}..${(index + 1) * 2 ** level - 1}) ${what}`,
  };
}
