// What a fold says an event does to the projection tables: row changes over plain values, read through a view.
import type { MaestroError } from "../../common/errors.ts";

/** A stored value as the folds and the verifier compare it: timestamps as ISO strings, bigints and floats as numbers. */
export type ProjectionValue = string | number | boolean | null;
export type Row = Record<string, ProjectionValue>;

/**
 * One change to one row. `insert`: the row must not exist yet (the store's primary key refuses a second). `update`:
 * the row exists (the fold read it) and these columns take these values. `references` on an insert: a row that must
 * exist with these values, which the store enforces with a foreign key and the replay checks (e.g. an outcome needs
 * its allowed decision by the same token), so the hot path needs no read for it. `delete`: the row exists and goes
 * (a removed webhook's secret).
 */
export type RowChange =
  | { op: "insert"; table: string; key: Row; values: Row; references?: { table: string; key: Row; values: Row } }
  | { op: "update"; table: string; key: Row; values: Row }
  | { op: "delete"; table: string; key: Row };

/** The projection as a fold sees it before the event: a row, or null when there is none. */
export interface ProjectionView {
  get(table: string, key: Row): Row | null;
}

/** Thrown by a view that does not hold the row yet: the caller reads it and runs the fold again (folds are pure). */
export class RowNeeded extends Error {
  readonly table: string;
  readonly key: Row;
  constructor(table: string, key: Row) {
    super(`the fold needs ${table} ${keyText(key)}`);
    this.name = "RowNeeded";
    this.table = table;
    this.key = key;
  }
}

/**
 * The event contradicts the projection, so it could not have been appended: a second outcome (`exists`), an outcome
 * with no allowed decision (`missing`), a session another token owns (`error` says so). The writer refuses the append;
 * the verifier reports the event.
 */
export class FoldRefused extends Error {
  readonly reason: "exists" | "missing" | "mismatch";
  readonly error?: MaestroError;
  constructor(reason: "exists" | "missing" | "mismatch", message: string, error?: MaestroError) {
    super(message);
    this.name = "FoldRefused";
    this.reason = reason;
    this.error = error;
  }

  /** The SQLSTATE the store would have raised for the same refusal (23505 unique, 23503 foreign key). */
  get sqlstate(): string {
    return this.reason === "exists" ? "23505" : "23503";
  }
}

/** A key as text, in the table's key-column order: `decision_id=…`; also the replay's map key. */
export function keyText(key: Row): string {
  // A loop, not entries/map/join: the replay makes a few of these per event (a tenth of its fold time went here).
  let text = "";
  let first = true;
  for (const column in key) {
    text += `${first ? "" : ","}${column}=${String(key[column])}`;
    first = false;
  }
  return text;
}
