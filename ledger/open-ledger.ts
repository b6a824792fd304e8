// Wires one process's ledger: writer (append path), reader (read path), checkpointer, keys.
import type { Kysely } from "kysely";
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
