// Wires one process's ledger: writer (append path), reader (read path), checkpointer, keys.
import type { Kysely } from "kysely";
import { MaestroError } from "../common/errors.ts";
import { type Clock, systemClock } from "../common/clock.ts";
import { Checkpointer } from "./append/checkpointer.ts";
import { eventSigner } from "./append/event-signer.ts";
import { type AppendedEntry, LedgerWriter, type LedgerWriterOptions } from "./append/ledger-writer.ts";
import type { Keyring } from "./keys/keyring.ts";
import { publishKeys } from "./keys/publish-keys.ts";
import { LedgerReader } from "./read/ledger-reader.ts";
import type { LedgerTables } from "./store/schema.ts";

export interface LedgerOptions {
  origin: string;
  clock?: Clock;
  maxBatch?: number;
  maxQueue?: number;
  onCommit?: (entries: AppendedEntry[]) => void;
  batchUpdate?: LedgerWriterOptions["batchUpdate"];
}

export interface Ledger {
  writer: LedgerWriter;
  reader: LedgerReader;
  checkpointer: Checkpointer;
  keyring: Keyring;
  origin: string;
}

export const DEFAULT_ORIGIN = "maestro.local/ledger";

/** `writerDb` carries the append path (defaults to `db`); reads and checkpoints use `db`. */
export async function openLedger(db: Kysely<LedgerTables>, keyring: Keyring, options: LedgerOptions, writerDb: Kysely<LedgerTables> = db): Promise<Ledger> {
  await refuseAnotherOrigin(db, options.origin);
  await publishKeys(db, keyring, options.origin);
  return {
    writer: new LedgerWriter(writerDb, eventSigner(keyring.event), {
      clock: options.clock ?? systemClock,
      maxBatch: options.maxBatch,
      maxQueue: options.maxQueue,
      onCommit: options.onCommit,
      batchUpdate: options.batchUpdate,
    }),
    reader: new LedgerReader(db),
    checkpointer: new Checkpointer(db, options.origin, keyring.checkpoint),
    keyring,
    origin: options.origin,
  };
}

/**
 * A log has one origin (C2SP tlog-checkpoint: the first line of every checkpoint, and the name of its vkey). Opened
 * under another (a different MAESTRO_LOG_ORIGIN), this process would publish a vkey and sign checkpoints under a name
 * the log's verifiers do not know, and `maestro ledger verify` would fail from then on. Refused before anything is written.
 */
async function refuseAnotherOrigin(db: Kysely<LedgerTables>, origin: string): Promise<void> {
  const latest = await db.selectFrom("ledger_checkpoints").select("note").orderBy("size", "desc").limit(1).executeTakeFirst();
  const existing = latest?.note.slice(0, latest.note.indexOf("\n"));
  if (existing !== undefined && existing !== origin) {
    throw new MaestroError("conflict", `this ledger's checkpoints are for origin "${existing}", not "${origin}": set MAESTRO_LOG_ORIGIN to "${existing}"`, {
      field: "MAESTRO_LOG_ORIGIN",
    });
  }
}
