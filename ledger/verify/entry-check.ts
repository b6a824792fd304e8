// Checks one entry on its own (no neighbours needed): leaf hash, canonical envelope, event signature.
import { HASH_SIZE, hashEquals, leafHash } from "../core/index.ts";
import { type LedgerEvent, parseCanonicalEvent, subjectKey } from "../event/envelope.ts";
import { checkEventSignature, type EventKeys } from "./event-signature.ts";
import type { RowMismatch, VerifyEntry } from "./types.ts";

export interface EntryProblem {
  index: number;
  part: "leaf_hash" | "canonical" | "signature" | "column";
  reason: string;
  row?: RowMismatch;
}

/**
 * A leaf hash that disagrees with its bytes says something changed, but not what: if the
 * signature still verifies over the bytes, the bytes are what was signed and the stored leaf
 * hash was altered; otherwise the bytes were.
 */
export function checkEntry(entry: VerifyEntry, keys: EventKeys): EntryProblem | null {
  const { index } = entry;
  if (!(entry.canonical instanceof Uint8Array)) return { index, part: "canonical", reason: "canonical bytes are missing" };
  const stored = entry.leafHash;
  if (!(stored instanceof Uint8Array) || stored.length !== HASH_SIZE) {
    return { index, part: "leaf_hash", reason: `stored leaf hash is not ${HASH_SIZE} bytes` };
  }
  const sigProblem = () => checkEventSignature(entry.canonical, entry.signature, keys);
  if (!hashEquals(leafHash(entry.canonical), stored)) {
    return sigProblem() === null
      ? {
          index,
          part: "leaf_hash",
          reason: "stored leaf hash is not SHA-256(0x00 ‖ canonical) although the event's signature verifies: the leaf hash was altered",
        }
      : {
          index,
          part: "canonical",
          reason: "canonical bytes do not hash to the stored leaf hash and their signature fails: the event bytes were altered",
        };
  }
  let event: LedgerEvent;
  try {
    event = parseCanonicalEvent(entry.canonical); // UTF-8, RFC 8785 canonical form, envelope schema
  } catch (err) {
    return { index, part: "canonical", reason: `not a valid canonical event: ${err instanceof Error ? err.message : String(err)}` };
  }
  const why = sigProblem();
  if (why !== null) return { index, part: "signature", reason: why };
  return entry.columns ? checkColumns(index, entry.columns, event) : null;
}

/**
 * The reader finds decisions and a release's evidence by these columns without parsing the bytes, so each must say
 * what the signed event says: an edited `kind` or `subject` would hide an entry from (or add one to) those reads.
 */
function checkColumns(index: number, columns: NonNullable<VerifyEntry["columns"]>, event: LedgerEvent): EntryProblem | null {
  const expected: Array<[string, string | null, string | null]> = [
    ["event_id", columns.eventId, event.id],
    ["kind", columns.kind, event.kind],
    ["subject", columns.subject, subjectKey(event.subject)],
  ];
  for (const [column, stored, want] of expected) {
    if (stored === want) continue;
    const row = { table: "ledger_entries", key: `idx=${index}`, column, stored: String(stored), expected: String(want) };
    return {
      index,
      part: "column",
      row,
      reason: `ledger_entries.${column} is ${JSON.stringify(stored)}, but the signed event says ${JSON.stringify(want)}`,
    };
  }
  return null;
}

/** The first problem of a batch in index order (entries are checked in the order given). */
export function checkEntries(entries: VerifyEntry[], keys: EventKeys): EntryProblem | null {
  for (const e of entries) {
    const p = checkEntry(e, keys);
    if (p) return p;
  }
  return null;
}
