// The offline verifier's inputs and its one result: success, or the first problem found and where.
import type { JWK } from "jose";
import type { StoredRows } from "./stored-rows.ts";
import type { LevelReader } from "./verify-nodes.ts";
import type { EntryCheckWorkers } from "./entry-check-pool.ts";

/** One stored ledger row as the verifier sees it: nothing parsed, nothing trusted. */
export interface VerifyEntry {
  index: number;
  leafHash: Uint8Array;
  canonical: Uint8Array;
  /** JWS with detached payload: `header..signature` over the canonical bytes. */
  signature: string;
  /** The columns a store keeps beside the bytes (store mode): each must be what the canonical event says. */
  columns?: { eventId: string; kind: string; subject: string | null };
}

/** A stored column that disagrees with what its signed bytes say: where it is, what it holds, what it should hold. */
export interface RowMismatch {
  table: string;
  /** The row's key, e.g. "idx=12" or "id=3". */
  key: string;
  column: string;
  stored: string;
  expected: string;
}

/**
 * Which check failed. "order": a row is missing, duplicated or out of place; "leaf_hash" /
 * "canonical" / "signature": one entry; "checkpoint": a signed checkpoint is bad, forked, or does
 * not match the recomputed tree; "consistency": a served consistency proof; "head": the claimed head;
 * "node": a stored interior subtree hash (the ones proofs are served from); "witness": no checkpoint has the
 * required quorum of witness cosignatures, or a cosignature under a trusted witness key is forged; "column": a stored
 * column derived from signed bytes (an entry's kind, a checkpoint's root, a key's kid…) says something else; "key": a
 * key.added / key.retired event that cannot be applied (malformed, or a vkey that is not its key's).
 */
export type ProblemPart =
  "order" | "leaf_hash" | "canonical" | "signature" | "checkpoint" | "consistency" | "head" | "node" | "witness" | "column" | "key";

export interface VerifyProblem {
  ok: false;
  part: ProblemPart;
  reason: string;
  /** The first bad (or first possibly bad) entry index, when the problem has one. */
  index?: number;
  /** Which stored checkpoint (position in the list given, 0-based) and its size, when it is about one. */
  checkpoint?: { position: number; size?: number };
  /** With part "column": the table, row, column, stored and expected value. */
  row?: RowMismatch;
}

export interface VerifyOk {
  ok: true;
  size: number;
  /** base64 RFC 6962 root of all entries. */
  root: string;
  /** Signed checkpoints checked against the recomputed tree. */
  checkpoints: number;
  /** With `witnesses`: the largest checkpoint a quorum cosigned (it matched the tree like every other). */
  witnessed?: { size: number; cosigners: string[]; quorum: number };
}

export type VerifyResult = VerifyOk | VerifyProblem;

export interface VerifyLogInput {
  /** Entries in index order; pages (arrays) are accepted as well as single entries. */
  entries: AsyncIterable<VerifyEntry | VerifyEntry[]> | Iterable<VerifyEntry | VerifyEntry[]>;
  /** Every stored checkpoint as signed-note text, in any order. */
  checkpoints: string[];
  /**
   * Trust anchors for event signatures (JWKS `keys`), looked up by `kid`: keys from outside the store (key files,
   * pinned keys). key.added events signed by a trusted key add to them as the log is read.
   */
  eventKeys: JWK[];
  /** Trust anchors for checkpoints, in signed-note vkey form; key.added events add to them too. */
  checkpointKeys: string[];
  /** Require a k-of-n quorum of these witnesses' cosignatures on at least one checkpoint (C2SP tlog-cosignature). */
  witnesses?: { vkeys: string[]; quorum: number };
  /** Expected checkpoint origin; defaults to the name of the vkey that verified each note. */
  origin?: string;
  /** The head the source claims (e.g. ledger_head): must equal the recomputed size and root. */
  head?: { size: number; root: Uint8Array };
  /** Store mode: the checkpoint, cosignature and key rows, each recomputed from the signed text it was derived from. */
  rows?: StoredRows;
  /**
   * Store mode: the stored tree levels (level ≥ 1, the interior nodes proofs are served from), each node compared with
   * the one the verifier computes from the leaves; a difference is reported after every other check passed.
   */
  storedNodes?: LevelReader;
  /** Optional source of consistency proofs, checked between consecutive checkpoints. */
  consistencyProof?: (from: number, to: number) => Promise<Uint8Array[]>;
  /** Signature-checking worker threads; 0 checks inline. Default: os.availableParallelism(). */
  workers?: number;
  /**
   * Check threads the caller started before it opened its source (startEntryCheckWorkers), so that they load while it
   * opens: used instead of starting `workers` threads at the first batch, and left running for the caller to close.
   */
  checkWorkers?: EntryCheckWorkers;
  /** Entries per worker batch. */
  batchSize?: number;
  /** Called now and then with the number of entries read so far. */
  onProgress?: (entriesRead: number) => void;
}
