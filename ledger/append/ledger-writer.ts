// The single writer of the ledger: signs events, batches them (group commit) and makes them durable in order.
//
// Concurrency: every batch commits atomically with a move of the ledger_head row from the size and root it was
// computed against, so any number of processes on one PostgreSQL serialize on that row and never reuse an index or
// fork the tree. The usual batch is one guarded statement (one-statement-batch.ts); the first batch, a batch after
// another process appended, and batches with per-append domain writes run that same statement in a transaction
// that locks the row first.
// Within a process, appends that arrive while a batch commits wait and go in the next batch together.
import type { ControlledTransaction, DrainOuterGeneric, Kysely, Transaction } from "kysely";
import { MaestroError, isMaestroError } from "../../common/errors.ts";
import { type Clock, systemClock } from "../../common/clock.ts";
import { computeAppend, coordKey, EMPTY_ROOT, foldRight, hashEquals, leafHash, rootCoords, toBase64 } from "../core/index.ts";
import { canonicalBytes, stampEvent, type EventInput, type LedgerEvent } from "../event/envelope.ts";
import { checkEntrySize } from "../event/entry-size.ts";
import { readNodeHashes } from "../store/node-hashes.ts";
import { type BatchUpdate, commitInOneStatement } from "./one-statement-batch.ts";
import {
  advanceFrontier,
  entryRows,
  type Frontier,
  isConnectionLost,
  isConstraintViolation,
  isRowRefused,
  type Pending,
  projectionRows,
  unitsOf,
} from "./batch-parts.ts";
import type { LedgerTables } from "../store/schema.ts";
import type { EventSigner } from "./event-signer.ts";
import { inconsistent } from "./head-check.ts";
import { WriteFence } from "./write-fence.ts";
import { applyFold, type Attached, foldRows, type KnownRows } from "./fold-apply.ts";
import { hasFold } from "../projections/fold-event.ts";
import { FoldRefused } from "../projections/row-change.ts";
import { itemAt, present } from "../../common/present.ts";

export interface AppendedEntry {
  index: number;
  event: LedgerEvent;
  leafHash: Uint8Array;
  signature: string;
}

/**
 * The application's tables in the ledger's store, beside the ledger's own (the server's are server/db/app-db.ts), in the
 * shape kysely's $extendTables takes. The ledger knows none of them; the writer only hands them to `apply`.
 */
export type AppTables = Record<string, Record<string, any>>;
/** No application tables: a ledger alone (benches, ledger tests). */
export type NoAppTables = Record<never, never>;

/** The append's transaction as `apply` sees it: the ledger's tables and the application's `DB`. */
export type AppendTransaction<DB extends AppTables> = Transaction<DrainOuterGeneric<LedgerTables & DB>>;

/** How one append is made; `DB` is the application's tables its `apply` sees beside the ledger's. */
export interface AppendOptions<DB extends AppTables = NoAppTables> {
  /**
   * Checks and writes outside the projections that must commit with the event or not at all (e.g. a webhook's
   * delivery cursor; projection rows are the event's fold's alone). Runs inside the append transaction, after the
   * writer lock is held, with the index the event will get; throwing rejects this append alone (its savepoint is
   * rolled back, the index goes to the next append) and leaves neither rows nor an event.
   */
  apply?: (trx: AppendTransaction<DB>, event: LedgerEvent, index: number) => Promise<void>;
  /**
   * Rows the caller read before appending (current at `readAt`) that the event's fold may consult without a read, e.g.
   * the session's owner: a fold that needs no other row and only inserts goes in the batch's one statement.
   */
  known?: KnownRows;
  /**
   * Values the event names only by digest (a release's SBOM, a webhook's secret), by `table.column`: the event's fold
   * stores each one only if it has that digest (ledger/projections/attached.ts).
   */
  attached?: Attached;
  /**
   * Rows of tables that no fold owns yet (ledger/projections), fresh ids only: inserted with the batch in one
   * multi-row statement per table, no savepoint, so the hot path (decisions) stays a few round trips.
   */
  rows?: (index: number, event: LedgerEvent) => ProjectionRow[];
  /**
   * What a constraint violation by this append's rows means to its caller, by SQLSTATE (23505 unique, 23503 foreign
   * key): e.g. a second outcome for one decision, or one for a decision that was not allowed, is a 409. The batch it
   * was in is then committed again without it; without this, a violation is an outage.
   */
  conflict?: (sqlstate: string) => MaestroError;
  /**
   * The writer generation (`LedgerWriter.generation`) at which the reads this append was decided on were current. If
   * the generation has moved by the time its batch commits (this process committed a change those reads depend on,
   * or found another process's append), the append is refused with StaleReadError and nothing of it is written: the
   * caller decides again on fresh reads. Lets a caller decide on cached reads and still never commit a decision
   * that a change it did not see would have altered.
   */
  readAt?: number;
  /**
   * This append writes nothing that cached reads depend on (only new projection rows of its own, such as a
   * decision's mediations row), so committing it leaves the generation where it is. Ignored with `apply`.
   */
  leavesReadsValid?: boolean;
  /**
   * Maps a JSON pointer into the event to the request field that carried it, for the 400 of an event too large for
   * one entry (default: /payload/x is the request's /x).
   */
  requestField?: (eventPointer: string) => string;
}

/** An append refused because the reads it was decided on are no longer current; nothing of it was written. */
export class StaleReadError extends Error {
  constructor() {
    super("the reads this append was decided on changed before it could commit");
    this.name = "StaleReadError";
  }
}

export interface ProjectionRow {
  table: string;
  values: Record<string, unknown>;
}

export interface LedgerWriterOptions {
  clock?: Clock;
  /** Max events per transaction. */
  maxBatch?: number;
  /** Appends waiting beyond this are refused with `overloaded` (503) instead of queuing without bound. */
  maxQueue?: number;
  /** An UPDATE committed with every batch whose events it names (e.g. a version that caches of derived data check). */
  batchUpdate?: BatchUpdate;
  /** Called after each committed batch (e.g. to wake SSE subscribers). */
  onCommit?: (entries: AppendedEntry[]) => void;
  /** Shared with the checkpointer: once closed (a forked head), every append is refused with `ledger_inconsistent`. */
  fence?: WriteFence;
  /**
   * Apply each event's projection fold (ledger/projections) with its append: the server's store, which has the tables.
   * Off, the writer appends events alone (a ledger without the server's tables: benches, ledger tests).
   */
  projections?: boolean;
  /** Called after each batch, committed or not: its size, how long it took, and whether the store failed it (metrics). */
  onBatch?: (batch: { entries: number; ms: number; storeFailed: boolean }) => void;
}
/** `DB` is the application's tables beside the ledger's in the store, which `apply` callbacks see (AppendOptions). */
export class LedgerWriter<DB extends AppTables = NoAppTables> {
  readonly #db: Kysely<LedgerTables>;
  readonly #signer: EventSigner;
  readonly #clock: Clock;
  readonly #maxBatch: number;
  readonly #maxQueue: number;
  readonly #onCommit?: (entries: AppendedEntry[]) => void;
  readonly #onBatch?: LedgerWriterOptions["onBatch"];
  /** Batches the store failed (not a constraint one append broke): what the ledger_unavailable 503s come from. */
  #storeFailures = 0;
  readonly #batchUpdate?: BatchUpdate;
  readonly #fence: WriteFence;
  readonly #projections: boolean;
  #queue: Pending<DB>[] = [];
  #draining = false;
  readonly #batches = { oneStatement: 0, locked: 0 };
  #frontier: Frontier | null = null;
  /** The largest head this process has seen or committed; unlike #frontier it survives failures, to spot a rewind. */
  #highWater = 0;
  #generation = 0;
  #otherWriterSeenAt = Number.NEGATIVE_INFINITY;

  constructor(db: Kysely<LedgerTables>, signer: EventSigner, options: LedgerWriterOptions = {}) {
    this.#db = db;
    this.#signer = signer;
    this.#clock = options.clock ?? systemClock;
    this.#maxBatch = options.maxBatch ?? 512;
    this.#maxQueue = options.maxQueue ?? 20_000;
    this.#onCommit = options.onCommit;
    this.#onBatch = options.onBatch;
    this.#batchUpdate = options.batchUpdate;
    this.#fence = options.fence ?? new WriteFence();
    this.#projections = options.projections ?? false;
  }

  /** Resolves only once the event is durable; rejects with `ledger_unavailable` if it cannot be. */
  async append(input: EventInput, options: AppendOptions<DB> = {}): Promise<AppendedEntry> {
    const [entry] = await this.appendAll([{ input, options }]);
    return present(entry, "the appended entry");
  }

  /**
   * Appends several events atomically, e.g. a final approval and the activation it causes: consecutive indexes, one
   * commit, their domain writes in one savepoint. If any `apply` throws, none of them is appended, and each rejects
   * with that error.
   */
  async appendAll(items: Array<{ input: EventInput; options?: AppendOptions<DB> }>): Promise<AppendedEntry[]> {
    this.#fence.assertOpen();
    if (this.#queue.length + items.length > this.#maxQueue) {
      throw new MaestroError("overloaded", "ledger append queue is full; retry shortly", { details: { retryAfter: 1 } });
    }
    const signed = await Promise.all(
      items.map(async ({ input, options }) => {
        const event = stampEvent(input, this.#clock.now());
        const canonical = canonicalBytes(event);
        checkEntrySize(event, canonical, options?.requestField);
        return { event, canonical, signature: await this.#signer.sign(canonical) };
      }),
    );
    // The event's fold, tried on the rows its caller already read: inserts only go in the batch's one statement; a fold
    // that needs a read runs in the transaction. A refusal here (the caller's reads say the event cannot be) is final.
    const folded = signed.map(({ event }, i) => {
      const options = itemAt(items, i, "items to append").options ?? {};
      if (!this.#projections || !hasFold(event.kind)) return { rows: options.rows, fold: false };
      try {
        const probe = foldRows(event, 0, options.known, options.attached);
        return probe
          ? { rows: (index: number, e: LedgerEvent) => foldRows(e, index, options.known, options.attached)!, fold: false }
          : { fold: true };
      } catch (err) {
        throw refusal(err, options.conflict);
      }
    });
    const group: Pending<DB>[] = [];
    const done = signed.map(
      ({ event, canonical, signature }, i) =>
        new Promise<AppendedEntry>((resolve, reject) => {
          const { apply, attached, conflict, readAt, leavesReadsValid } = itemAt(items, i, "items to append").options ?? {};
          const { rows, fold } = itemAt(folded, i, "folded items");
          const entry = { event, leafHash: leafHash(canonical), signature };
          group.push({
            entry,
            canonical,
            apply,
            rows,
            fold,
            attached,
            conflict,
            readAt,
            leavesReadsValid: !apply && !fold && leavesReadsValid === true,
            resolve,
            reject,
          });
        }),
    );
    // Pushed together, in order, so no other append lands between them.
    for (const p of group) this.#queue.push(group.length > 1 ? Object.assign(p, { group }) : p);
    if (!this.#draining) {
      // Start after this turn's I/O callbacks, so appends that arrived together share one commit. Starting at once
      // made batches of one on the embedded store, whose queries run on this thread.
      this.#draining = true;
      setImmediate(() => void this.#drain());
    }
    return Promise.all(done);
  }

  get queued(): number {
    return this.#queue.length;
  }

  /**
   * Moves whenever what a cached read could have seen may have changed: a committed append not marked
   * `leavesReadsValid`, another process's append found at the head, or a head this process cannot vouch for.
   */
  get generation(): number {
    return this.#generation;
  }

  /** Whether another process's append was found within the last `ms` (caches are pointless while it keeps appending). */
  otherWriterSeenWithin(ms: number): boolean {
    return performance.now() - this.#otherWriterSeenAt < ms;
  }

  /** Committed batches by path: one guarded statement, or a transaction that locked the head first. */
  get batches(): { oneStatement: number; locked: number } {
    return { ...this.#batches };
  }

  async #drain(): Promise<void> {
    try {
      while (this.#queue.length > 0) {
        // Never cut a group in two: it must commit in one transaction.
        let end = Math.min(this.#maxBatch, this.#queue.length);
        const groupAt = (i: number) => itemAt(this.#queue, i, "append queue").group;
        while (end < this.#queue.length && groupAt(end) !== undefined && groupAt(end) === groupAt(end - 1)) end++;
        const started = performance.now();
        const failuresBefore = this.#storeFailures;
        await this.#commitBatch(this.#queue.splice(0, end));
        this.#onBatch?.({ entries: end, ms: performance.now() - started, storeFailed: this.#storeFailures > failuresBefore });
      }
    } finally {
      this.#draining = false;
    }
  }

  async #commitBatch(batch: Pending<DB>[]): Promise<void> {
    try {
      this.#fence.assertOpen(); // the checkpointer may have found a fork while these waited
      if (this.#frontier && batch.every((p) => !p.apply && !p.fold)) {
        const live = this.#dropStale(batch);
        if (live.length === 0) return;
        if (await this.#commitInOneStatement(this.#frontier, live)) return;
        // Another process appended: reads cached before now may miss its changes. Reload the head under its lock.
        this.#otherWriterSeenAt = performance.now();
        this.#frontier = null;
        this.#generation++;
      }
      await this.#commitInTransaction(batch);
    } catch (err) {
      this.#frontier = null;
      const units = unitsOf(batch.filter((p) => !p.dropped));
      if (isRowRefused(err) && units.length > 1) {
        // One append's row was refused (two outcomes for one decision; a value the store cannot hold): the others
        // must not pay for it. Each half goes again on its own, in order, halving again where the refusal is, so
        // only the refused unit (an appendAll group as a whole) fails, after about 2·log2(batch) statements.
        const half = Math.ceil(units.length / 2);
        await this.#commitBatch(units.slice(0, half).flat());
        await this.#commitBatch(units.slice(half).flat());
        return;
      }
      this.#failBatch(batch, new Map(), err);
    }
  }

  /** One round trip; false (nothing written) when the head is no longer the cached frontier. */
  async #commitInOneStatement(frontier: Frontier, batch: Pending<DB>[]): Promise<boolean> {
    const leaves = batch.map((p) => p.entry.leafHash);
    const { nodes, root } = computeAppend(frontier.hashes, frontier.size, leaves);
    const events = batch.map((p) => p.entry.event);
    const committedInOne = await commitInOneStatement(this.#db, {
      oldSize: frontier.size,
      oldRoot: frontier.root,
      root,
      entries: entryRows(batch, frontier.size),
      nodes,
      rows: projectionRows(batch, frontier.size),
      update: this.#batchUpdate?.when(events) ? this.#batchUpdate.statement : undefined,
    });
    if (!committedInOne) return false;
    this.#batches.oneStatement++;
    this.#frontier = advanceFrontier(frontier, leaves, nodes, root);
    this.#highWater = this.#frontier.size;
    this.#settle(batch, frontier.size, new Map());
    return true;
  }

  /**
   * Refuses the appends (whole units) decided on reads older than the current generation, or placed after a change
   * earlier in this same batch (their reads cannot have seen it); returns the rest.
   */
  #dropStale(batch: Pending<DB>[]): Pending<DB>[] {
    const live: Pending<DB>[] = [];
    let changedEarlier = false;
    for (const unit of unitsOf(batch.filter((p) => !p.dropped))) {
      const decidedOnReads = unit.some((p) => p.readAt !== undefined);
      if (!decidedOnReads || (!changedEarlier && unit.every((p) => p.readAt === undefined || p.readAt === this.#generation))) {
        live.push(...unit);
        changedEarlier ||= unit.some((p) => !p.leavesReadsValid);
        continue;
      }
      for (const p of unit) {
        p.dropped = true;
        p.reject(new StaleReadError());
      }
    }
    return live;
  }

  #settle(accepted: Pending<DB>[], firstIndex: number, rejected: Map<Pending<DB>, unknown>): void {
    // Before anyone hears of the commit, so no cached read from before it is used once it is known.
    if (accepted.some((p) => !p.leavesReadsValid)) this.#generation++;
    const committed = accepted.map((p, i) => ({ ...p.entry, index: firstIndex + i }));
    accepted.forEach((p, i) => p.resolve(itemAt(committed, i, "committed entries")));
    for (const [p, err] of rejected) p.reject(err);
    if (committed.length > 0) this.#onCommit?.(committed);
  }

  #failBatch(batch: Pending<DB>[], rejected: Map<Pending<DB>, unknown>, err: unknown): void {
    this.#frontier = null;
    // An outage of the store, not a row it refused nor the fork fence: what the store-errors metric counts.
    if (!isRowRefused(err) && !(isMaestroError(err) && err.code === "ledger_inconsistent")) this.#storeFailures++;
    const outage =
      isMaestroError(err) && err.code === "ledger_inconsistent"
        ? err
        : new MaestroError("ledger_unavailable", "the ledger could not make the event durable", { cause: err });
    const sqlstate = isRowRefused(err) ? (err as { code: string }).code : undefined;
    // A data exception the append's own values caused, alone in its batch by now, is that request's fault, not an
    // outage: no Retry-After invites it again. (The boundary refuses such values first; this is the store's word.)
    const refused =
      sqlstate?.startsWith("22") === true
        ? new MaestroError("bad_request", `the store refused a value of this request (SQLSTATE ${sqlstate})`, { cause: err })
        : outage;
    for (const p of batch)
      p.reject(rejected.get(p) ?? (p.conflict && sqlstate && isConstraintViolation(err) ? p.conflict(sqlstate) : refused));
  }

  async #commitInTransaction(batch: Pending<DB>[]): Promise<void> {
    let trx: ControlledTransaction<LedgerTables> | undefined;
    const rejected = new Map<Pending<DB>, unknown>();
    try {
      trx = await this.#begin();
      const head = await trx.selectFrom("ledger_head").select(["size", "root"]).where("id", "=", 1).forUpdate().executeTakeFirstOrThrow();
      const oldSize = Number(head.size);
      const headRoot = new Uint8Array(head.root);
      this.#checkHead(oldSize, headRoot);
      const live = this.#dropStale(batch);
      const accepted = await this.#applyDomainWrites(trx, live, oldSize, rejected);
      const frontier = await this.#frontierAt(trx, oldSize, headRoot);
      const { nodes, root } = computeAppend(
        frontier.hashes,
        oldSize,
        accepted.map((p) => p.entry.leafHash),
      );
      if (accepted.length > 0) {
        // The same statement as the one-statement path, here under the head lock, so its guard must match.
        const events = accepted.map((p) => p.entry.event);
        const written = await commitInOneStatement(trx, {
          oldSize,
          oldRoot: frontier.root,
          root,
          entries: entryRows(accepted, oldSize),
          nodes,
          rows: projectionRows(accepted, oldSize),
          update: this.#batchUpdate?.when(events) ? this.#batchUpdate.statement : undefined,
        });
        if (!written) throw new Error("ledger_head changed under its own row lock");
      }
      await trx.commit().execute();
      trx = undefined;
      this.#batches.locked++;
      this.#frontier = advanceFrontier(
        frontier,
        accepted.map((p) => p.entry.leafHash),
        nodes,
        root,
      );
      this.#highWater = this.#frontier.size;
      this.#settle(accepted, oldSize, rejected);
    } catch (err) {
      if (trx)
        await trx
          .rollback()
          .execute()
          .catch(() => {});
      if (isRowRefused(err) && unitsOf(batch).length > 1) throw err; // #commitBatch splits the batch
      this.#failBatch(batch, rejected, err);
    }
  }

  /**
   * BEGIN on a pooled connection the server has closed (a restart, an administrator's terminate) fails before anything
   * of ours ran, so trying again on the pool's next connection is safe; a few tries pass the pool's other dead ones.
   */
  async #begin(): Promise<ControlledTransaction<LedgerTables>> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.#db.startTransaction().execute();
      } catch (err) {
        if (attempt >= 3 || !isConnectionLost(err)) throw err;
      }
    }
  }

  /** Runs each append's (or group's) domain writes in its own savepoint so one failure rejects only that append. */
  async #applyDomainWrites(
    trx: ControlledTransaction<LedgerTables>,
    batch: Pending<DB>[],
    firstIndex: number,
    rejected: Map<Pending<DB>, unknown>,
  ): Promise<Pending<DB>[]> {
    const accepted: Pending<DB>[] = [];
    for (const [i, unit] of unitsOf(batch).entries()) {
      if (unit.every((p) => !p.apply && !p.fold)) {
        accepted.push(...unit);
        continue;
      }
      const name = `append_${i}`;
      const sp = await trx.savepoint(name).execute();
      try {
        for (const [k, p] of unit.entries()) {
          const index = firstIndex + accepted.length + k;
          if (p.fold) await foldInto(sp, p, index);
          // The same transaction, typed with the application's tables too (its own; the ledger does not know them).
          await p.apply?.(sp.$extendTables<DB>(), p.entry.event, index);
        }
        await sp.releaseSavepoint(name).execute();
        accepted.push(...unit);
      } catch (err) {
        await sp.rollbackToSavepoint(name).execute();
        if (!isMaestroError(err)) throw err;
        for (const p of unit) rejected.set(p, err);
      }
    }
    return accepted;
  }

  /**
   * The head the locking path read. Unless it is the one this process last committed, reads cached before now may
   * miss what changed: another process appended since (or this process cannot tell, at start or after a failure).
   */
  #checkHead(size: number, root: Uint8Array): void {
    const known = this.#frontier;
    if (known && known.size === size && Buffer.compare(known.root, root) === 0) return;
    // A head never shrinks: a smaller one means the log was rewound under this process, and appending would reuse indexes.
    if (size < this.#highWater)
      this.#refuse(
        inconsistent(
          `the head went back from size ${this.#highWater} to ${size} under this process (the log was rewound or ledger_head edited)`,
          { headSize: size, knownSize: this.#highWater },
        ),
      );
    this.#highWater = size;
    if (known) this.#otherWriterSeenAt = performance.now();
    this.#generation++;
  }

  /** The right-edge subtree hashes at `size`, cached between batches and reloaded if another process appended. */
  async #frontierAt(trx: Transaction<LedgerTables>, size: number, root: Uint8Array): Promise<Frontier> {
    const cached = this.#frontier;
    if (cached && cached.size === size && Buffer.compare(cached.root, root) === 0) return cached;
    const coords = rootCoords(size);
    const hashes = await readNodeHashes(trx, coords);
    // O(log n) hashing of what was just read: never extend a head whose stored peaks do not give its root.
    const stored = size === 0 ? EMPTY_ROOT : foldRight(hashes);
    if (!hashEquals(stored, root)) {
      this.#refuse(
        inconsistent(
          `the stored subtree hashes give root ${toBase64(stored)} at size ${size}, but ledger_head says ${toBase64(root)} (ledger_head or a stored subtree hash was edited)`,
          { headSize: size },
        ),
      );
    }
    return { size, root, hashes: new Map(coords.map((c, i) => [coordKey(c), itemAt(hashes, i, "stored subtree hashes")])) };
  }

  #refuse(err: MaestroError): never {
    this.#fence.refuse(err);
    throw err;
  }
}

/** Applies the append's fold in its savepoint; a refusal, or a key the store refuses, rejects that append alone. */
async function foldInto<DB extends AppTables>(trx: Transaction<LedgerTables>, p: Pending<DB>, index: number): Promise<void> {
  try {
    await applyFold(trx, p.entry.event, index, p.attached);
  } catch (err) {
    throw refusal(err, p.conflict);
  }
}

/** What a fold's refusal (or the store's key violation for it) means to the caller: its own error, else a 409. */
function refusal(err: unknown, conflict: AppendOptions["conflict"]): unknown {
  if (err instanceof FoldRefused) return err.error ?? conflict?.(err.sqlstate) ?? new MaestroError("conflict", err.message);
  if (isConstraintViolation(err) && conflict) return conflict((err as { code: string }).code);
  return err;
}
