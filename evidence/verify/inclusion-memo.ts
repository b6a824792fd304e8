// Verifies many RFC 9162 §2.1.3.2 inclusion proofs against ONE tree, sharing work: once a path node is proven, later
// proofs that reach it stop hashing and only compare their remaining elements with the proven ones (string equality).
// Equivalent to verifying each proof in full: a valid audit path is unique, so every element must equal the proven node.
import { hash } from "node:crypto";
import { verifyInclusion } from "../../ledger/core/index.ts";
import { itemAt } from "../../common/present.ts";

const isOdd = (n: number) => n % 2 === 1;
const half = (n: number) => Math.floor(n / 2);

/** SHA-256(0x01 || left || right), one-shot: thousands of proofs make the per-hash object of createHash show. */
function node(left: Uint8Array, right: Uint8Array): Uint8Array {
  const input = Buffer.allocUnsafe(65);
  input[0] = 1;
  input.set(left, 1);
  input.set(right, 33);
  return hash("sha256", input, "buffer");
}

/** Strict base64 of a 32-byte hash: Node's decoder skips junk, so require the canonical re-encoding. */
export function strictHash(text: string, what: string): Uint8Array {
  const bytes = typeof text === "string" ? Buffer.from(text, "base64") : Buffer.alloc(0);
  if (bytes.length !== 32 || bytes.toString("base64") !== text) throw new Error(`${what} is not a base64 SHA-256 hash`);
  return bytes;
}

/**
 * The walk of RFC 9162 §2.1.3.2 without hashing: for step k, the key of the parent node proof element k helps build,
 * and the key of that element itself (the parent's left or right child). Both depend only on (index, size).
 */
/** A node's key: its index within its level, and the level (< 64) in the low bits. Numbers keep the maps cheap. */
const nodeKey = (level: number, index: number) => index * 64 + level;

function parentKeys(index: number, size: number, length: number): { keys: number[]; sides: number[] } | null {
  let fn = index;
  let sn = size - 1;
  let level = 0;
  const keys: number[] = [];
  const sides: number[] = [];
  for (let k = 0; k < length; k++) {
    if (sn === 0) return null;
    const left = isOdd(fn) || fn === sn; // the element is the left child of the parent
    if (!isOdd(fn) && fn === sn) {
      while (!isOdd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
        level++;
      }
    }
    fn = half(fn);
    sn = half(sn);
    level++;
    keys.push(nodeKey(level, fn));
    sides.push(nodeKey(level, fn) * 2 + (left ? 1 : 0));
  }
  return sn === 0 ? { keys, sides } : null;
}

export class InclusionVerifier {
  readonly #size: number;
  readonly #root: Uint8Array;
  /** Proven nodes (parent key → hash) and proven proof elements (parent key → base64 of the sibling). */
  readonly #nodes = new Map<number, Uint8Array>();
  readonly #siblings = new Map<number, string>();

  constructor(size: number, root: Uint8Array) {
    // Keys are index·128 + level·2 + side: exact for indexes below 2^46, far past any ledger we serve.
    if (!Number.isSafeInteger(size * 128)) throw new Error(`tree size ${size} is too large to verify`);
    this.#size = size;
    this.#root = root;
  }

  verify(leaf: Uint8Array, index: number, proof: string[]): void {
    const walk =
      Number.isSafeInteger(index) && index >= 0 && index < this.#size && Array.isArray(proof)
        ? parentKeys(index, this.#size, proof.length)
        : null;
    if (!walk) {
      // Malformed: let the reference verifier produce the precise reason.
      verifyInclusion({
        leafHash: leaf,
        index,
        size: this.#size,
        proof: proof.map((p, i) => strictHash(p, `proof[${i}]`)),
        root: this.#root,
      });
      throw new Error("inclusion proof is malformed");
    }
    const { keys, sides } = walk;
    let fn = index;
    let sn = this.#size - 1;
    let r: Uint8Array = leaf;
    const computed: Uint8Array[] = [];
    for (let k = 0; k < proof.length; k++) {
      // The walk has one step per proof element (parentKeys), so these are in range.
      const known = this.#nodes.get(itemAt(keys, k, "the walk's parent keys"));
      const knownSibling = this.#siblings.get(itemAt(sides, k, "the walk's sibling keys"));
      const element = itemAt(proof, k, "proof");
      if (knownSibling !== undefined && knownSibling !== element) throw new Error(`proof element ${k} is not the tree's node`);
      const p = strictHash(element, `proof[${k}]`);
      if (isOdd(fn) || fn === sn) {
        r = node(p, r);
        if (!isOdd(fn)) while (!isOdd(fn) && fn !== 0) [fn, sn] = [half(fn), half(sn)];
      } else {
        r = node(r, p);
      }
      [fn, sn] = [half(fn), half(sn)];
      computed.push(r);
      if (known) {
        if (Buffer.compare(known, r) !== 0) throw new Error("inclusion proof leads to a different root");
        // The rest of the path is proven: each remaining element must be the proven sibling.
        for (let j = k + 1; j < proof.length; j++) {
          if (this.#siblings.get(itemAt(sides, j, "the walk's sibling keys")) !== proof[j])
            throw new Error(`proof element ${j} is not the tree's node`);
        }
        this.#remember(keys, sides, proof, computed); // only the new steps: the rest are already remembered
        return;
      }
    }
    if (Buffer.compare(r, this.#root) !== 0) throw new Error("root mismatch: the inclusion proof leads to a different root");
    this.#remember(keys, sides, proof, computed);
  }

  /** Remembers the first computed.length steps of a proven path. */
  #remember(keys: number[], sides: number[], proof: string[], computed: Uint8Array[]): void {
    // computed holds at most one node per proof element, and the walk one key per element.
    for (let k = 0; k < computed.length; k++) {
      this.#nodes.set(itemAt(keys, k, "the walk's parent keys"), itemAt(computed, k, "computed nodes"));
      this.#siblings.set(itemAt(sides, k, "the walk's sibling keys"), itemAt(proof, k, "proof"));
    }
  }
}
