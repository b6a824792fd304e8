// Read side of the ledger: entries, proofs and checkpoints. Never takes the writer lock, so it can move to a replica.
import type { Kysely } from "kysely";
import { MaestroError } from "../../common/errors.ts";
import { itemAt } from "../../common/present.ts";
import { buildConsistencyProof, buildInclusionProof, computeRoot, leafHash } from "../core/index.ts";
import { parseCanonicalEvent, type LedgerEvent } from "../event/envelope.ts";
import { CopyBinaryReader } from "../store/copy-binary.ts";
import { storeHashReader } from "../store/node-hashes.ts";
import type { LedgerTables } from "../store/schema.ts";

export interface StoredEntry {
  index: number;
  leafHash: Uint8Array;
  canonical: Uint8Array;
  event: LedgerEvent;
  signature: string;
}

export interface StoredCheckpoint {
  id: number;
  size: number;
  root: Uint8Array;
  note: string;
  createdAt: Date;
}

export interface RawEntry {
  index: number;
  leafHash: Uint8Array;
  canonical: Uint8Array;
  signature: string;
}

export type EntryWithColumns = RawEntry & { columns: { eventId: string; kind: string; subject: string | null } };

export class LedgerReader {
  readonly #db: Kysely<LedgerTables>;
  /** The embedded store's COPY (Store.copyOut): whole-log reads take it, the rest read through Kysely. */
  readonly #copyOut: ((query: string) => Promise<Uint8Array>) | undefined;

  constructor(db: Kysely<LedgerTables>, copyOut?: (query: string) => Promise<Uint8Array>) {
    this.#db = db;
    this.#copyOut = copyOut;
  }

  async head(): Promise<{ size: number; root: Uint8Array }> {
    const row = await this.#db.selectFrom("ledger_head").select(["size", "root"]).where("id", "=", 1).executeTakeFirstOrThrow();
    return { size: Number(row.size), root: new Uint8Array(row.root) };
  }

  async entry(index: number): Promise<StoredEntry> {
    const row = await this.#db
      .selectFrom("ledger_entries")
      .select(["idx", "leaf_hash", "canonical", "signature"])
      .where("idx", "=", index)
      .executeTakeFirst();
    if (!row) throw new MaestroError("not_found", `no ledger entry at index ${index}`, { field: "index" });
    return toStored(toRaw(row));
  }

  /** Raw rows in index order, for verification and streaming (the verifier parses them itself). */
  async rawEntries(from: number, limit: number): Promise<RawEntry[]> {
    const rows = await this.#db
      .selectFrom("ledger_entries")
      .select(["idx", "leaf_hash", "canonical", "signature"])
      .where("idx", ">=", from)
      .orderBy("idx")
      .limit(limit)
      .execute();
    return rows.map(toRaw);
  }

  /** rawEntries with the columns stored beside the bytes (event_id, kind, subject), which the verifier recomputes. */
  async entriesWithColumns(from: number, limit: number): Promise<EntryWithColumns[]> {
    if (this.#copyOut) return this.#copiedEntries(from, limit);
    const rows = await this.#db
      .selectFrom("ledger_entries")
      .select(["idx", "leaf_hash", "canonical", "signature", "event_id", "kind", "subject"])
      .where("idx", ">=", from)
      .orderBy("idx")
      .limit(limit)
      .execute();
    return rows.map((r) => ({ ...toRaw(r), columns: { eventId: r.event_id, kind: r.kind, subject: r.subject } }));
  }

  /**
   * Index, kind and event id of entries in index order, from their own columns: what the SSE stream sends, without
   * reading or parsing the events (a replay of 20k entries parsed 20k documents per reader).
   */
  async entrySummaries(from: number, limit: number): Promise<Array<{ index: number; kind: string; eventId: string }>> {
    const rows = await this.#db
      .selectFrom("ledger_entries")
      .select(["idx", "kind", "event_id"])
      .where("idx", ">=", from)
      .orderBy("idx")
      .limit(limit)
      .execute();
    return rows.map((r) => ({ index: Number(r.idx), kind: r.kind, eventId: r.event_id }));
  }

  /** Stored hashes of one tree level in index order: level 0 = leaf hashes, level ≥ 1 = interior nodes. */
  async levelHashes(level: number, from: number, limit: number): Promise<Array<{ index: number; hash: Uint8Array }>> {
    if (this.#copyOut) return this.#copiedLevel(level, from, limit);
    if (level === 0) {
      const rows = await this.#db
        .selectFrom("ledger_entries")
        .select(["idx", "leaf_hash"])
        .where("idx", ">=", from)
        .orderBy("idx")
        .limit(limit)
        .execute();
      return rows.map((r) => ({ index: Number(r.idx), hash: new Uint8Array(r.leaf_hash) }));
    }
    const rows = await this.#db
      .selectFrom("ledger_nodes")
      .select(["idx", "hash"])
      .where("level", "=", level)
      .where("idx", ">=", from)
      .orderBy("idx")
      .limit(limit)
      .execute();
    return rows.map((r) => ({ index: Number(r.idx), hash: new Uint8Array(r.hash) }));
  }

  async entriesFor(kind: string | null, subject: string): Promise<StoredEntry[]> {
    let query = this.#db.selectFrom("ledger_entries").select(["idx", "leaf_hash", "canonical", "signature"]).where("subject", "=", subject);
    if (kind) query = query.where("kind", "=", kind);
    const rows = await query.orderBy("idx").execute();
    return rows.map((r) => toStored(toRaw(r)));
  }

  async entryByEventId(eventId: string): Promise<StoredEntry | null> {
    const row = await this.#db
      .selectFrom("ledger_entries")
      .select(["idx", "leaf_hash", "canonical", "signature"])
      .where("event_id", "=", eventId)
      .executeTakeFirst();
    return row ? toStored(toRaw(row)) : null;
  }

  async inclusionProof(index: number, size: number): Promise<{ index: number; size: number; leafHash: Uint8Array; hashes: Uint8Array[] }> {
    await this.#requireSize(size);
    if (index >= size) throw new MaestroError("bad_request", `index ${index} must be below size ${size}`, { field: "index" });
    const reader = storeHashReader(this.#db);
    const leaf = itemAt(await reader.getHashes([{ level: 0, index }]), 0, "leaf hashes");
    return { index, size, leafHash: leaf, hashes: await buildInclusionProof(reader, index, size) };
  }

  async consistencyProof(from: number, to: number): Promise<{ from: number; to: number; hashes: Uint8Array[] }> {
    await this.#requireSize(to, "to");
    if (from > to) throw new MaestroError("bad_request", `from ${from} must not exceed to ${to}`, { field: "from" });
    if (from === 0) throw new MaestroError("bad_request", "from must be at least 1 (RFC 9162 §2.1.4)", { field: "from" });
    return { from, to, hashes: await buildConsistencyProof(storeHashReader(this.#db), from, to) };
  }

  /** The root of any past size, recomputed from stored subtrees in O(log n). */
  async rootAt(size: number): Promise<Uint8Array> {
    await this.#requireSize(size);
    return computeRoot(storeHashReader(this.#db), size);
  }

  async latestCheckpoint(): Promise<StoredCheckpoint | null> {
    const row = await this.#db
      .selectFrom("ledger_checkpoints")
      .selectAll()
      .orderBy("size", "desc")
      .orderBy("id", "desc")
      .limit(1)
      .executeTakeFirst();
    return row ? toCheckpoint(row) : null;
  }

  async checkpoints(): Promise<StoredCheckpoint[]> {
    const rows = await this.#db.selectFrom("ledger_checkpoints").selectAll().orderBy("id").execute();
    return rows.map(toCheckpoint);
  }

  async publicKeys(purpose?: "event" | "token" | "checkpoint") {
    let query = this.#db.selectFrom("signing_keys").selectAll();
    if (purpose) query = query.where("purpose", "=", purpose);
    return query.orderBy("created_at").execute();
  }

  /** entriesWithColumns as one COPY buffer: same rows, same order, same columns, each read from its binary form. */
  async #copiedEntries(from: number, limit: number): Promise<EntryWithColumns[]> {
    const data = await this.#copyOut!(
      `select idx, leaf_hash, canonical, signature, event_id, kind, subject from ledger_entries
       where idx >= ${sqlInteger(from)} order by idx limit ${sqlInteger(limit)}`,
    );
    const rows = new CopyBinaryReader(data, 7);
    const out: EntryWithColumns[] = [];
    // A NULL where the schema says NOT NULL (a constraint dropped) reaches the checks as the Kysely path hands it on:
    // an empty byte array or a null, which they report like any other wrong value.
    const bytes = (field: number) => (rows.isNull(field) ? new Uint8Array(0) : rows.bytes(field));
    const text = (field: number) => rows.textOrNull(field) as string;
    while (rows.next()) {
      out.push({
        index: rows.int8(0),
        leafHash: bytes(1),
        canonical: bytes(2),
        signature: text(3),
        columns: { eventId: text(4), kind: text(5), subject: rows.textOrNull(6) },
      });
    }
    return out;
  }

  async #copiedLevel(level: number, from: number, limit: number): Promise<Array<{ index: number; hash: Uint8Array }>> {
    const data = await this.#copyOut!(
      level === 0
        ? `select idx, leaf_hash from ledger_entries where idx >= ${sqlInteger(from)} order by idx limit ${sqlInteger(limit)}`
        : `select idx, hash from ledger_nodes where level = ${sqlInteger(level)} and idx >= ${sqlInteger(from)}
           order by idx limit ${sqlInteger(limit)}`,
    );
    const rows = new CopyBinaryReader(data, 2);
    const out: Array<{ index: number; hash: Uint8Array }> = [];
    while (rows.next()) out.push({ index: rows.int8(0), hash: rows.isNull(1) ? new Uint8Array(0) : rows.bytes(1) });
    return out;
  }

  async #requireSize(size: number, field = "size"): Promise<void> {
    const { size: treeSize } = await this.head();
    if (size > treeSize) throw new MaestroError("bad_request", `${field} ${size} exceeds the tree size ${treeSize}`, { field });
    if (size < 1) throw new MaestroError("bad_request", `${field} must be at least 1`, { field });
  }
}

/** COPY takes no bind parameters: only a non-negative safe integer is ever written into its SQL text. */
function sqlInteger(n: number): string {
  if (!Number.isSafeInteger(n) || n < 0) throw new MaestroError("bad_request", `not a row index or count: ${n}`);
  return String(n);
}

function toRaw(row: { idx: number; leaf_hash: Uint8Array; canonical: Uint8Array; signature: string }): RawEntry {
  return {
    index: Number(row.idx),
    leafHash: new Uint8Array(row.leaf_hash),
    canonical: new Uint8Array(row.canonical),
    signature: row.signature,
  };
}

/**
 * An entry as served and decided from: its leaf hash is recomputed from the canonical bytes (one SHA-256, RFC 6962
 * §2.1), never the stored column, so an edited `leaf_hash` cannot make a served entry vouch for other bytes. Raw
 * rows (rawEntries) keep the stored column: the verifier compares the two.
 */
function toStored(raw: RawEntry): StoredEntry {
  return { ...raw, leafHash: leafHash(raw.canonical), event: parseCanonicalEvent(raw.canonical) };
}

function toCheckpoint(row: { id: number; size: number; root: Uint8Array; note: string; created_at: Date }): StoredCheckpoint {
  return {
    id: Number(row.id),
    size: Number(row.size),
    root: new Uint8Array(row.root),
    note: row.note,
    createdAt: new Date(row.created_at),
  };
}
