// The append fast path: a whole batch in ONE autocommit statement, one round trip instead of four.
//
// It applies when this process already knows the tree head (its cached frontier) and no append in the batch needs
// its own savepoint. The guard is the head row itself: the statement's first CTE moves ledger_head from the size and
// root this process computed against to the new ones, and every insert selects FROM that CTE's RETURNING row. If
// another process appended meanwhile, the UPDATE matches nothing (PostgreSQL re-checks the locked row's newest
// version), so nothing is inserted and the caller falls back to the locking transaction. Either the whole batch
// and its head move commit together, or nothing does: one statement is one transaction.
import { type Kysely, type RawBuilder, sql } from "kysely";
import type { NodeHash } from "../core/index.ts";
import { prepared } from "../store/prepared.ts";
import type { LedgerEvent } from "../event/envelope.ts";
import type { LedgerEntriesTable } from "../store/schema.ts";

/** A ledger_entries row as the writer inserts it (created_at takes its default). */
export type EntryRow = Omit<LedgerEntriesTable, "created_at">;

/** An UPDATE that must commit with a batch when `when(events)` holds, e.g. a version that caches check. */
export interface BatchUpdate {
  when(events: LedgerEvent[]): boolean;
  statement: RawBuilder<unknown>;
}

export interface OneStatementBatch {
  oldSize: number;
  oldRoot: Uint8Array;
  root: Uint8Array;
  entries: EntryRow[];
  nodes: NodeHash[];
  /** Projection rows per table (each row's own columns). */
  rows: Map<string, Record<string, unknown>[]>;
  /** Runs as its own CTE, unconditionally: if the head moved elsewhere it only costs the caches a refill. */
  update?: RawBuilder<unknown>;
}

/** Rows travel as one JSON parameter per table; bytes in PostgreSQL's bytea hex input form ("\x…"). */
function jsonRows(rows: Record<string, unknown>[]): string {
  // `this[key]` is the value before Buffer#toJSON turned it into {type, data}.
  return JSON.stringify(rows, function (this: Record<string, unknown>, key, value) {
    const raw = this[key];
    return raw instanceof Uint8Array ? `\\x${Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString("hex")}` : value;
  });
}

/**
 * Rows grouped by the columns they name: INSERT … SELECT gives a column a row leaves out NULL, not its default, so
 * each group inserts exactly its own columns.
 */
function byColumns(rows: Record<string, unknown>[]): Array<{ columns: string[]; rows: Record<string, unknown>[] }> {
  const groups = new Map<string, { columns: string[]; rows: Record<string, unknown>[] }>();
  for (const row of rows) {
    const columns = Object.keys(row).sort();
    const key = columns.join("\u0000");
    const group = groups.get(key) ?? { columns, rows: [] };
    group.rows.push(row);
    groups.set(key, group);
  }
  return [...groups.values()];
}

/** INSERT INTO table (cols) SELECT cols FROM jsonb_populate_recordset(null::table, $json) CROSS JOIN moved_head. */
function insertFromJson(table: string, columns: string[], rows: Record<string, unknown>[]): RawBuilder<unknown> {
  const list = sql.join(columns.map((c) => sql.id(c)));
  const picked = sql.join(columns.map((c) => sql`r.${sql.id(c)}`));
  const json = jsonRows(rows);
  return sql`insert into ${sql.id(table)} (${list}) select ${picked} from jsonb_populate_recordset(null::${sql.id(table)}, ${json}::jsonb) as r cross join moved_head`;
}

/**
 * Returns true when the batch was written, false when the head had moved (nothing written). Outside a transaction it
 * commits on its own; the locking path runs it inside its transaction, under the head lock, where it must be true.
 */
export async function commitInOneStatement(db: Kysely<any>, batch: OneStatementBatch): Promise<boolean> {
  const newSize = batch.oldSize + batch.entries.length;
  const ctes: RawBuilder<unknown>[] = [
    sql`moved_head as (update ledger_head set size = ${newSize}, root = ${batch.root} where id = 1 and size = ${batch.oldSize} and root = ${batch.oldRoot} returning size)`,
  ];
  const tables: Array<[string, Record<string, unknown>[]]> = [
    ["ledger_entries", batch.entries as unknown as Record<string, unknown>[]],
    ["ledger_nodes", batch.nodes.map((n) => ({ level: n.level, idx: n.index, hash: n.hash }))],
    ...batch.rows,
  ];
  for (const [table, rows] of tables) {
    for (const group of byColumns(rows)) ctes.push(sql`${sql.id(`insert_${ctes.length}`)} as (${insertFromJson(table, group.columns, group.rows)})`);
  }
  if (batch.update) ctes.push(sql`batch_update as (${batch.update})`);
  const result = await sql<{ moved: number }>`${prepared}with ${sql.join(ctes)} select count(*)::int as moved from moved_head`.execute(db);
  return Number(result.rows[0]?.moved) === 1;
}
