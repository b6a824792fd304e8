// The append fast path: a whole batch in ONE autocommit statement, one round trip instead of four.
//
// It applies when this process already knows the tree head (its cached frontier) and no append in the batch needs
// its own savepoint. The guard is the head row itself: the statement's first CTE moves ledger_head from the size and
// root this process computed against to the new ones, and every insert selects FROM that CTE's RETURNING row. If
// another process appended meanwhile, the UPDATE matches nothing (PostgreSQL re-checks the locked row's newest
// version), so nothing is inserted and the caller falls back to the locking transaction. Either the whole batch
// and its head move commit together, or nothing does: one statement is one transaction.
import { CompiledQuery, type Kysely, type RawBuilder, sql } from "kysely";
import type { NodeHash } from "../core/index.ts";
import { prepared } from "../store/prepared.ts";
import type { LedgerEvent } from "../event/envelope.ts";
import type { LedgerEntriesTable, LedgerTables } from "../store/schema.ts";

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
 * each group inserts exactly its own columns. Rows built by the same code list their keys in the same order, so the
 * keys are sorted once per distinct order, not once per row.
 */
function byColumns(rows: Record<string, unknown>[]): Array<{ columns: string[]; rows: Record<string, unknown>[] }> {
  const byOrder = new Map<string, Record<string, unknown>[]>();
  for (const row of rows) {
    const order = Object.keys(row).join("\u0000");
    const same = byOrder.get(order);
    if (same) same.push(row);
    else byOrder.set(order, [row]);
  }
  const groups = new Map<string, { columns: string[]; rows: Record<string, unknown>[] }>();
  for (const [order, members] of byOrder) {
    const columns = order.split("\u0000").sort();
    const key = columns.join("\u0000");
    const group = groups.get(key);
    if (group) group.rows.push(...members);
    else groups.set(key, { columns, rows: members });
  }
  return [...groups.values()];
}

interface Group {
  table: string;
  columns: string[];
  /** The group's rows as the one JSON parameter it travels in. */
  json: string;
}

/** INSERT INTO table (cols) SELECT cols FROM jsonb_populate_recordset(null::table, $json) CROSS JOIN moved_head. */
function insertFromJson({ table, columns, json }: Group): RawBuilder<unknown> {
  const list = sql.join(columns.map((c) => sql.id(c)));
  const picked = sql.join(columns.map((c) => sql`r.${sql.id(c)}`));
  return sql`insert into ${sql.id(table)} (${list}) select ${picked} from jsonb_populate_recordset(null::${sql.id(table)}, ${json}::jsonb) as r cross join moved_head`;
}

/**
 * The statement's text for each batch shape (tables, column sets, the optional update), from kysely's first
 * compilation of that shape; later batches of the shape only bind new parameters. Building and compiling the
 * statement per batch was ~30 % of what the server allocated per decision, and 5 % of its CPU.
 */
const shapes = new Map<string, { text: string; updateParameters: readonly unknown[] }>();
/** Shapes kept at most: there are a handful in practice (which projections a batch carries). */
const MAX_SHAPES = 256;
const updateIds = new WeakMap<RawBuilder<unknown>, number>();
let nextUpdateId = 0;

function shapeKey(groups: Group[], update: RawBuilder<unknown> | undefined): string {
  let updateId = "";
  if (update) {
    if (!updateIds.has(update)) updateIds.set(update, nextUpdateId++);
    updateId = String(updateIds.get(update));
  }
  return `${groups.map((g) => `${g.table}(${g.columns.join(",")})`).join(";")}|${updateId}`;
}

/** Builds the statement with kysely and, if its parameters are exactly `variable` then the update's, keeps its text. */
function compileShape(
  db: Kysely<LedgerTables>,
  key: string,
  variable: unknown[],
  groups: Group[],
  update: RawBuilder<unknown> | undefined,
): CompiledQuery {
  const [newSize, root, oldSize, oldRoot] = variable;
  const ctes: RawBuilder<unknown>[] = [
    sql`moved_head as (update ledger_head set size = ${newSize}, root = ${root} where id = 1 and size = ${oldSize} and root = ${oldRoot} returning size)`,
  ];
  for (const group of groups) ctes.push(sql`${sql.id(`insert_${ctes.length}`)} as (${insertFromJson(group)})`);
  if (update) ctes.push(sql`batch_update as (${update})`);
  const compiled = sql`${prepared}with ${sql.join(ctes)} select count(*)::int as moved from moved_head`.compile(db);
  // Kept only when the parameter order is the one later batches bind: otherwise this shape compiles every time.
  if (shapes.size < MAX_SHAPES && variable.every((v, i) => compiled.parameters[i] === v)) {
    shapes.set(key, { text: compiled.sql, updateParameters: compiled.parameters.slice(variable.length) });
  }
  return compiled;
}

/**
 * Returns true when the batch was written, false when the head had moved (nothing written). Outside a transaction it
 * commits on its own; the locking path runs it inside its transaction, under the head lock, where it must be true.
 */
export async function commitInOneStatement(db: Kysely<LedgerTables>, batch: OneStatementBatch): Promise<boolean> {
  // Entry and node rows are built here and in batch-parts.ts, each kind with one object literal: one group each.
  const uniform = (table: string, rows: Record<string, unknown>[]): Group[] => {
    const [first] = rows;
    return first === undefined ? [] : [{ table, columns: Object.keys(first).sort(), json: jsonRows(rows) }];
  };
  const groups = [
    ...uniform("ledger_entries", batch.entries as unknown as Record<string, unknown>[]),
    ...uniform(
      "ledger_nodes",
      batch.nodes.map((n) => ({ level: n.level, idx: n.index, hash: n.hash })),
    ),
    ...[...batch.rows].flatMap(([table, rows]) =>
      byColumns(rows).map(({ columns, rows: members }) => ({ table, columns, json: jsonRows(members) })),
    ),
  ];
  const variable: unknown[] = [
    batch.oldSize + batch.entries.length,
    batch.root,
    batch.oldSize,
    batch.oldRoot,
    ...groups.map((g) => g.json),
  ];
  const key = shapeKey(groups, batch.update);
  const known = shapes.get(key);
  const query = known
    ? CompiledQuery.raw(known.text, [...variable, ...known.updateParameters])
    : compileShape(db, key, variable, groups, batch.update);
  const result = await db.executeQuery<{ moved: number }>(query);
  return Number(result.rows[0]?.moved) === 1;
}
