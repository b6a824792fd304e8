// The skeleton waivers, holds and break-glass share: what each service is built from, the row an id names (404 when
// there is none) and the tree size a view's inclusion-proof links are computed at. Each feature adds its own lifecycle.
import type { Kysely } from "kysely";
import type { Clock } from "../../common/clock.ts";
import type { LedgerWriter } from "../../ledger/append/ledger-writer.ts";
import type { AppDb } from "../db/app-db.ts";
import { notFound, parseId } from "./transition.ts";

/** What every exception service is built from: the database, the ledger writer and reader, a clock. */
export interface ExceptionDeps {
  db: Kysely<AppDb>;
  /**
   * The ledger writer: each event's fold changes the feature's rows in the append's transaction; `appendAll` commits
   * several events at once, all or none.
   */
  writer: Pick<LedgerWriter<AppDb>, "append" | "appendAll">;
  /** For the tree size that inclusion-proof links are computed at. */
  reader: { head(): Promise<{ size: number }> };
  clock: Clock;
}

/** Reads the feature's row whose key is `id`; undefined when there is none. */
export type FindRow<Row> = (db: Kysely<AppDb>, id: string) => Promise<Row | undefined>;

/** `Row` is a row of the feature's table, which `find` reads by its key `id`; `noun` names one in errors. */
export abstract class ExceptionService<Row> {
  protected readonly deps: ExceptionDeps;
  readonly #noun: string;
  readonly #find: FindRow<Row>;

  protected constructor(deps: ExceptionDeps, noun: string, find: FindRow<Row>) {
    this.deps = deps;
    this.#noun = noun;
    this.#find = find;
  }

  protected get db(): Kysely<AppDb> {
    return this.deps.db;
  }

  /** The row `rawId` names: 400 unless it is a UUID, 404 when there is none. */
  protected async row(rawId: string): Promise<Row> {
    const id = parseId(rawId);
    const row = await this.#find(this.deps.db, id);
    if (!row) throw notFound(this.#noun, id);
    return row;
  }

  /** The ledger's size now: views link each event's inclusion proof at it. */
  protected async treeSize(): Promise<number> {
    return (await this.deps.reader.head()).size;
  }
}
