// Wires one process's ledger: writer (append path), reader (read path), checkpointer, keys.
import type { Kysely } from "kysely";
import { MaestroError } from "../common/errors.ts";
import { type Clock, systemClock } from "../common/clock.ts";
import { Checkpointer } from "./append/checkpointer.ts";
import { checkHead } from "./append/head-check.ts";
import { type FenceLog, WriteFence } from "./append/write-fence.ts";
import { eventSigner } from "./append/event-signer.ts";
import { type AppendedEntry, type AppTables, LedgerWriter, type LedgerWriterOptions, type NoAppTables } from "./append/ledger-writer.ts";
import type { Keyring } from "./keys/keyring.ts";
import { publishKeys } from "./keys/publish-keys.ts";
import { type KeyEventSink, recordKeyEvents } from "./keys/record-key-events.ts";
import { LedgerReader } from "./read/ledger-reader.ts";
import type { LedgerTables } from "./store/schema.ts";
import { WitnessCosigner, type WitnessReport } from "./witness/cosigner.ts";
import type { WitnessPolicy } from "./witness/witness-list.ts";
import { WitnessReads } from "./witness/witness-reads.ts";

export interface LedgerOptions {
  origin: string;
  clock?: Clock;
  maxBatch?: number;
  maxQueue?: number;
  onCommit?: (entries: AppendedEntry[]) => void;
  onBatch?: LedgerWriterOptions["onBatch"];
  batchUpdate?: LedgerWriterOptions["batchUpdate"];
  /** Apply each event's projection fold (LedgerWriterOptions.projections): the server's store, with its tables. */
  projections?: boolean;
  /** Where a refusal to append or sign is logged (one JSON line); stderr by default. */
  log?: FenceLog;
  /** Witnesses asked to cosign each checkpoint, and the quorum; none by default. */
  witnesses?: WitnessPolicy;
  witnessTimeoutMs?: number;
  /** Told when a witness does not cosign (down, refusing, a fork, a bad cosignature). */
  onWitnessReport?: (report: WitnessReport) => void;
}

/** `DB` is the application's tables beside the ledger's, which the writer's `apply` callbacks see (AppendOptions). */
export interface Ledger<DB extends AppTables = NoAppTables> {
  writer: LedgerWriter<DB>;
  reader: LedgerReader;
  checkpointer: Checkpointer;
  witnesses: WitnessReads;
  keyring: Keyring;
  origin: string;
  /** Closed (writes answer 503 `ledger_inconsistent`) when the stored head forks the signed log. */
  fence: WriteFence;
  /** Ledgers key.added / key.retired for what the key files say and the log lacks (ledger/keys/record-key-events.ts). */
  recordKeyEvents(options: { retire: boolean }): Promise<number>;
}

export const DEFAULT_ORIGIN = "maestro.local/ledger";

/**
 * `writerDb` carries the append path (defaults to `db`); reads and checkpoints use `db`. `DB` names the application's
 * tables in the same store, for the writer's `apply` callbacks.
 */
export async function openLedger<DB extends AppTables = NoAppTables>(
  db: Kysely<LedgerTables>,
  keyring: Keyring,
  options: LedgerOptions,
  writerDb: Kysely<LedgerTables> = db,
): Promise<Ledger<DB>> {
  await refuseAnotherOrigin(db, options.origin);
  await publishKeys(db, keyring, options.origin);
  const fence = new WriteFence(options.log);
  await checkAtStart(db, fence);
  const policy = options.witnesses ?? { witnesses: [], quorum: 0 };
  const reader = new LedgerReader(db);
  const cosigner = new WitnessCosigner(db, reader, policy, { timeoutMs: options.witnessTimeoutMs, onReport: options.onWitnessReport });
  const clock = options.clock ?? systemClock;
  const writer = new LedgerWriter<DB>(writerDb, eventSigner(keyring.event), {
    clock,
    maxBatch: options.maxBatch,
    maxQueue: options.maxQueue,
    onCommit: options.onCommit,
    onBatch: options.onBatch,
    batchUpdate: options.batchUpdate,
    projections: options.projections,
    fence,
  });
  // Only a successor's key.added is signed by another key (its predecessor's): a writer of its own for that one event.
  const keySink: KeyEventSink = {
    append: (inputs, key) => {
      const items = inputs.map((input) => ({ input }));
      return key.kid === keyring.event.kid
        ? writer.appendAll(items)
        : new LedgerWriter<DB>(writerDb, eventSigner(key), { clock, fence }).appendAll(items);
    },
  };
  return {
    writer,
    reader,
    checkpointer: new Checkpointer(db, options.origin, keyring.checkpoint, fence, cosigner),
    witnesses: new WitnessReads(db, policy),
    keyring,
    origin: options.origin,
    fence,
    recordKeyEvents: ({ retire }) => recordKeyEvents(reader, keySink, keyring, { origin: options.origin, retire }),
  };
}

/**
 * The fork check at start. A forked head does not stop the process: reads keep serving so auditors can look, while
 * every append and checkpoint answers 503 `ledger_inconsistent` and the log line says what is wrong.
 */
async function checkAtStart(db: Kysely<LedgerTables>, fence: WriteFence): Promise<void> {
  try {
    await checkHead(db);
  } catch (err) {
    if (!(err instanceof MaestroError) || err.code !== "ledger_inconsistent") throw err;
    fence.refuse(err);
  }
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
    throw new MaestroError(
      "conflict",
      `this ledger's checkpoints are for origin "${existing}", not "${origin}": set MAESTRO_LOG_ORIGIN to "${existing}"`,
      {
        field: "MAESTRO_LOG_ORIGIN",
      },
    );
  }
}
