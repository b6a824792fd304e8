// The right edge of a growing tree: O(log n) subtree hashes give the RFC 6962 root at every size.
import { EMPTY_ROOT, foldRight, nodeHash } from "../core/index.ts";

/**
 * Holds the peaks of the tree (ledger/core rootCoords(size): one perfect subtree per set bit of
 * size, largest first), as computeAppend's frontier does, so memory stays flat however long the
 * log is. Appending a leaf merges equal-height peaks from the right, like binary carry.
 */
export class CompactRange {
  #size = 0;
  readonly #hashes: Uint8Array[] = [];
  readonly #levels: number[] = [];

  get size(): number {
    return this.#size;
  }

  /** Appends a leaf; `onNode` is told each complete subtree this closes (level ≥ 1, its index at that level, hash). */
  append(leafHash: Uint8Array, onNode?: (level: number, index: number, hash: Uint8Array) => void): void {
    let hash = leafHash;
    let level = 0;
    while (this.#levels.length > 0 && this.#levels[this.#levels.length - 1] === level) {
      this.#levels.pop();
      hash = nodeHash(this.#hashes.pop() as Uint8Array, hash);
      level++;
      // The subtree just closed ends at the new leaf: leaves [size + 1 - 2^level, size + 1).
      onNode?.(level, Math.floor((this.#size + 1) / 2 ** level) - 1, hash);
    }
    this.#hashes.push(hash);
    this.#levels.push(level);
    this.#size++;
  }

  /** MTH(D[0:size]) = right fold of the peaks (RFC 9162 §2.1.1); the empty tree hashes to SHA-256(""). */
  root(): Uint8Array {
    return this.#hashes.length === 0 ? EMPTY_ROOT : foldRight(this.#hashes);
  }
}
