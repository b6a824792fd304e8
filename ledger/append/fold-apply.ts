// Applies an event's fold to the store: in the append's transaction (reading the rows the fold asks for), or as the
// plain inserts of the one-statement path when the fold needs nothing beyond the rows its caller already read.
import type { Kysely } from "kysely";
import { MaestroError } from "../../common/errors.ts";
import type { LedgerEvent } from "../event/envelope.ts";
import { type AttachedValue, attachedDigest } from "../projections/attached.ts";
import { foldEvent } from "../projections/fold-event.ts";
import { keyText, type ProjectionView, type Row, RowNeeded, type RowChange } from "../projections/row-change.ts";
import { isAttached, normalizeRow, tableSpec } from "../projections/table-specs.ts";
import type { LedgerTables } from "../store/schema.ts";
import type { ProjectionRow } from "./ledger-writer.ts";

/** Rows a caller read before appending (current at its `readAt`), possibly only the columns the fold reads. */
export type KnownRows = Array<{ table: string; key: Row; row: Row | null }>;

/** Values of attached columns (projections/attached.ts) by `table.column`: the fold names each by its digest. */
export type Attached = Record<string, AttachedValue>;

/**
 * The projection tables as folds name them: by a name chosen at run time, with the columns projections/table-specs.ts
 * gives them, so no compile-time table type can check these statements (the specs and the replay tests do).
 */
type FoldTables = Record<string, Record<string, unknown>>;
const foldView = (db: Kysely<LedgerTables>) => db.$extendTables<FoldTables>();

/** The fold's rows for the one-statement path, or undefined when it needs a read or changes an existing row. */
export function foldRows(event: LedgerEvent, index: number, known: KnownRows = [], attached: Attached = {}): ProjectionRow[] | undefined {
  const byKey = new Map(known.map((k) => [`${k.table}:${keyText(k.key)}`, k.row]));
  const view: ProjectionView = {
    get(table, key) {
      const row = byKey.get(`${table}:${keyText(key)}`);
      if (row === undefined) throw new RowNeeded(table, key);
      return row;
    },
  };
  let changes: RowChange[];
  try {
    changes = foldEvent(event, index, view);
  } catch (err) {
    if (err instanceof RowNeeded) return undefined;
    throw err;
  }
  if (changes.some((c) => c.op !== "insert")) return undefined;
  return changes.map((c) => ({
    table: c.table,
    values: storedValues(c.table, { ...c.key, ...(c.op === "insert" ? c.values : {}) }, attached),
  }));
}

/**
 * Folds the event against the store as the transaction sees it and writes the changes. The fold runs again after each
 * row it asks for is read (it is pure and cheap); a row a change references is left to the store's foreign key.
 */
export async function applyFold(db: Kysely<LedgerTables>, event: LedgerEvent, index: number, attached: Attached = {}): Promise<void> {
  const trx = foldView(db);
  const read = new Map<string, Row | null>();
  const view: ProjectionView = {
    get(table, key) {
      const row = read.get(`${table}:${keyText(key)}`);
      if (row === undefined) throw new RowNeeded(table, key);
      return row;
    },
  };
  let changes: RowChange[];
  for (;;) {
    try {
      changes = foldEvent(event, index, view);
      break;
    } catch (err) {
      if (!(err instanceof RowNeeded)) throw err;
      read.set(`${err.table}:${keyText(err.key)}`, await readRow(trx, err.table, err.key));
    }
  }
  for (const c of changes) {
    if (c.op === "insert") {
      await trx
        .insertInto(c.table)
        .values(storedValues(c.table, { ...c.key, ...c.values }, attached))
        .execute();
      continue;
    }
    if (c.op === "delete") {
      let remove = trx.deleteFrom(c.table);
      for (const [column, value] of Object.entries(c.key)) remove = remove.where(column, "=", value);
      await remove.execute();
      continue;
    }
    let update = trx.updateTable(c.table).set(storedValues(c.table, c.values, attached));
    for (const [column, value] of Object.entries(c.key)) update = update.where(column, "=", value);
    await update.execute();
  }
}

async function readRow(trx: ReturnType<typeof foldView>, table: string, key: Row): Promise<Row | null> {
  let query = trx.selectFrom(table).selectAll();
  for (const [column, value] of Object.entries(key)) query = query.where(column, "=", value);
  const row = await query.executeTakeFirst();
  return row ? normalizeRow(tableSpec(table), row) : null;
}

/**
 * Values as the store takes them: a timestamp column gets a Date (both drivers bind it as timestamptz); an attached
 * column the value its caller attached, which must have the digest the fold gives (else nothing is written).
 */
function storedValues(table: string, values: Row, attached: Attached): Record<string, unknown> {
  const spec = tableSpec(table);
  return Object.fromEntries(
    Object.entries(values).map(([column, value]) => {
      const type = spec.columns[column];
      if (type === "time" && typeof value === "string") return [column, new Date(value)];
      if (!isAttached(type) || value === null) return [column, value];
      const given = attached[`${table}.${column}`];
      if (given === undefined || attachedDigest(type, given) !== value)
        throw new MaestroError("internal", `${table}.${column}: the value attached to the append does not have the digest its event names`);
      return [column, given];
    }),
  );
}
