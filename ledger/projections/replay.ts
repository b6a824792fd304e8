// Replays the folds over ledgered events in index order into in-memory tables: the rows the store must hold.
import type { LedgerEvent } from "../event/envelope.ts";
import { foldEvent } from "./fold-event.ts";
import { FoldRefused, keyText, type ProjectionView, type Row, type RowChange } from "./row-change.ts";
import { PROJECTION_TABLES } from "./table-specs.ts";
import { MissingValueError } from "../../common/present.ts";

/** An event the projection refused at replay: it could not have been appended by this server as the ledger has it. */
export interface RefusedEvent {
  index: number;
  kind: string;
  reason: string;
}

export class ProjectionReplay implements ProjectionView {
  readonly tables = new Map<string, Map<string, Row>>(
    PROJECTION_TABLES.map((t) => [t.table, new Map((t.initial ?? []).map((row) => [keyText(pick(row, t.key)), row]))]),
  );
  readonly refused: RefusedEvent[] = [];

  get(table: string, key: Row): Row | null {
    return this.#table(table).get(keyText(key)) ?? null;
  }

  /** Folds one event; a refusal is recorded (the store holds nothing of it either) and replay goes on. */
  add(event: LedgerEvent, index: number): void {
    let changes: RowChange[];
    try {
      changes = foldEvent(event, index, this);
      for (const c of changes) this.#check(c);
    } catch (err) {
      // A refusal, or a signed event whose payload its kind's fold cannot read: either way no server appended it so.
      const reason = err instanceof FoldRefused ? err.message : `its payload does not fold: ${(err as Error).message}`;
      this.refused.push({ index, kind: event.kind, reason });
      return;
    }
    for (const c of changes) {
      const rows = this.#table(c.table);
      const k = keyText(c.key);
      if (c.op === "delete") rows.delete(k);
      else rows.set(k, c.op === "insert" ? { ...c.key, ...c.values } : { ...rows.get(k)!, ...c.values });
    }
  }

  /** What the store's keys and foreign keys enforce on the writer's side, checked here before anything changes. */
  #check(c: RowChange): void {
    const existing = this.get(c.table, c.key);
    if (c.op === "insert" && existing !== null) throw new FoldRefused("exists", `${c.table} ${keyText(c.key)} exists already`);
    if (c.op !== "insert" && existing === null) throw new FoldRefused("missing", `${c.table} ${keyText(c.key)} does not exist`);
    if (c.op === "insert" && c.references) {
      const target = this.get(c.references.table, c.references.key);
      const matches = target !== null && Object.entries(c.references.values).every(([col, v]) => target[col] === v);
      if (!matches)
        throw new FoldRefused(
          "missing",
          `${c.table} ${keyText(c.key)} references no ${c.references.table} ${keyText(c.references.key)} with ${JSON.stringify(c.references.values)}`,
        );
    }
  }

  #table(table: string): Map<string, Row> {
    const rows = this.tables.get(table);
    if (!rows) throw new Error(`no projection table ${table}`);
    return rows;
  }
}

function pick(row: Row, columns: string[]): Row {
  return Object.fromEntries(
    columns.map((c) => {
      const value = row[c];
      // null is a value a key column may hold; undefined means the table spec's initial row lacks its own key.
      if (value === undefined) throw new MissingValueError(`key column ${c} of an initial projection row`);
      return [c, value];
    }),
  );
}
