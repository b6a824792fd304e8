// Refuses to extend or sign a forked log: the stored head must be at or past the newest signed checkpoint, its stored
// subtree hashes must reproduce its root, and it must be consistent with that checkpoint (RFC 9162 §2.1.4).
//
// O(log n) and one round trip for hashes: the peaks of the head (rootCoords) and the consistency proof's nodes are
// read in one batch, so the check costs the same at 100 entries as at 100 million and never re-reads the log.
import { type Kysely, sql } from "kysely";
import { MaestroError } from "../../common/errors.ts";
import {
  consistencyPlan,
  coordKey,
  EMPTY_ROOT,
  foldRight,
  hashEquals,
  parseCheckpoint,
  planCoords,
  resolvePlan,
  rootCoords,
  toBase64,
  verifyConsistency,
} from "../core/index.ts";
import { readNodeHashes } from "../store/node-hashes.ts";
import type { LedgerTables } from "../store/schema.ts";

export interface CheckedHead {
  size: number;
  root: Uint8Array;
  /** The newest signed checkpoint's size and root as its signed note says (null: none signed yet). */
  checkpoint: { size: number; root: Uint8Array } | null;
}

const HOW_TO_INVESTIGATE =
  "appends and checkpoints are refused until this is resolved: run `maestro ledger verify` on the store, compare ledger_head " +
  "with the newest row of ledger_checkpoints and its note, and restore the store from a backup that verifies (docs/governance/ledger.md, 'Fork refusal')";

/** The stable error every refusal carries: 503 `ledger_inconsistent`, the problem first, then how to investigate. */
export function inconsistent(problem: string, details: Record<string, unknown> = {}, cause?: unknown): MaestroError {
  return new MaestroError("ledger_inconsistent", `ledger refuses to append or sign: ${problem}; ${HOW_TO_INVESTIGATE}`, {
    details: { problem, ...details },
    cause,
  });
}

/** Reads the head and the newest checkpoint and throws `inconsistent(...)` unless the head may be extended and signed. */
export async function checkHead(db: Kysely<LedgerTables>): Promise<CheckedHead> {
  const { head, checkpoint } = await headAndNewestCheckpoint(db);
  const { size, root } = head;
  if (checkpoint && size < checkpoint.size) {
    throw inconsistent(
      `the head is at size ${size}, behind the newest signed checkpoint at size ${checkpoint.size} (the log was rewound or ledger_head edited)`,
      {
        headSize: size,
        checkpointSize: checkpoint.size,
      },
    );
  }
  const peaks = rootCoords(size);
  const plan = checkpoint && checkpoint.size > 0 && checkpoint.size < size ? consistencyPlan(checkpoint.size, size) : [];
  const coords = [...new Map([...peaks, ...planCoords(plan)].map((c) => [coordKey(c), c])).values()];
  let hashes: Uint8Array[];
  try {
    hashes = await readNodeHashes(db, coords);
  } catch (err) {
    if (err instanceof MaestroError && err.code === "internal") throw inconsistent(err.message, { headSize: size }, err);
    throw err;
  }
  const byKey = new Map(coords.map((c, i) => [coordKey(c), hashes[i]]));
  const stored = size === 0 ? EMPTY_ROOT : foldRight(peaks.map((c) => byKey.get(coordKey(c))!));
  if (!hashEquals(stored, root)) {
    throw inconsistent(
      `the stored subtree hashes give root ${toBase64(stored)} at size ${size}, but ledger_head says ${toBase64(root)} (ledger_head or a stored subtree hash was edited)`,
      {
        headSize: size,
      },
    );
  }
  if (checkpoint && checkpoint.size > 0) {
    try {
      verifyConsistency({
        size1: checkpoint.size,
        size2: size,
        root1: checkpoint.root,
        root2: root,
        proof: resolvePlan(plan, (c) => byKey.get(coordKey(c))!),
      });
    } catch (err) {
      throw inconsistent(
        `the head at size ${size} is not consistent with the signed checkpoint at size ${checkpoint.size} (${(err as Error).message})`,
        {
          headSize: size,
          checkpointSize: checkpoint.size,
        },
        err,
      );
    }
  }
  return { size, root, checkpoint };
}

/**
 * The head and the newest checkpoint by its signed note, in one statement (one snapshot: a checkpoint signed by another
 * process meanwhile cannot appear newer than the head read with it). Both the largest `size` row and the last inserted
 * row are read, so an edited `size` column cannot hide the newest one, and each row's columns must match its note.
 */
async function headAndNewestCheckpoint(
  db: Kysely<LedgerTables>,
): Promise<{ head: { size: number; root: Uint8Array }; checkpoint: { size: number; root: Uint8Array } | null }> {
  const { rows } = await sql<{ id: number | null; size: number; root: Uint8Array; note: string | null }>`
    select null::bigint as id, size, root, null::text as note from ledger_head where id = 1
    union all
    select id, size, root, note from ledger_checkpoints
    where id = (select max(id) from ledger_checkpoints)
       or id = (select id from ledger_checkpoints order by size desc, id desc limit 1)`.execute(db);
  const headRow = rows.find((r) => r.note === null);
  if (!headRow) throw inconsistent("the ledger_head row is missing");
  let newest: { size: number; root: Uint8Array } | null = null;
  for (const r of rows) {
    if (r.note === null) continue;
    const signed = noteBody(r.note, Number(r.id));
    if (signed.size !== Number(r.size) || !hashEquals(signed.rootHash, new Uint8Array(r.root))) {
      throw inconsistent(
        `ledger_checkpoints row ${r.id} says size ${r.size}, but its signed note says size ${signed.size} with another root (the row was edited)`,
        {
          checkpointId: Number(r.id),
        },
      );
    }
    if (!newest || signed.size > newest.size) newest = { size: signed.size, root: signed.rootHash };
  }
  return { head: { size: Number(headRow.size), root: new Uint8Array(headRow.root) }, checkpoint: newest };
}

/** The checkpoint body of a C2SP signed note: the text before the last blank line (signatures follow it). */
function noteBody(note: string, id: number): ReturnType<typeof parseCheckpoint> {
  const split = note.lastIndexOf("\n\n");
  try {
    if (split < 0) throw new Error("no blank line before the signatures");
    return parseCheckpoint(note.slice(0, split + 1));
  } catch (err) {
    throw inconsistent(
      `ledger_checkpoints row ${id} holds no readable checkpoint note (${(err as Error).message})`,
      { checkpointId: id },
      err,
    );
  }
}
