// The skeleton waivers, holds and break-glass share: what each service is built from, the row an id names (404 when
// there is none) and the tree size a view's inclusion-proof links are computed at. Each feature adds its own lifecycle.
import type { Kysely } from "kysely";
import type { Clock } from "../../common/clock.ts";
import type { EventInput } from "../../ledger/event/envelope.ts";
import { notFound, parseId } from "./transition.ts";

export interface ExceptionAppendOptions {
  apply?: (trx: any, event: any, index: number) => Promise<void>;
}

/** What every exception service is built from: the database, the ledger writer and reader, a clock. */
export interface ExceptionDeps {
  db: Kysely<any>;
  /** The ledger writer: each event's fold changes the feature's rows in the append's transaction. */
  writer: {
    append(input: EventInput, options?: ExceptionAppendOptions): Promise<{ index: number }>;
    /** Several events in one commit, all or none (ledger/append/ledger-writer.ts appendAll). */
    appendAll(items: Array<{ input: EventInput; options?: ExceptionAppendOptions }>): Promise<Array<{ index: number }>>;
  };
  /** For the tree size that inclusion-proof links are computed at. */
  reader: { head(): Promise<{ size: number }> };
  clock: Clock;
}

/** `Tables` is the feature's slice of the database; `Row` a row of `table`, whose key is `id`; `noun` names one in errors. */
export abstract class ExceptionService<Tables, Row> {
  protected readonly deps: ExceptionDeps;
  readonly #table: string;
  readonly #noun: string;

  protected constructor(deps: ExceptionDeps, table: string, noun: string) {
    this.deps = deps;
    this.#table = table;
    this.#noun = noun;
  }

  protected get db(): Kysely<Tables> {
    return this.deps.db as Kysely<Tables>;
  }

  /** The row `rawId` names: 400 unless it is a UUID, 404 when there is none. */
  protected async row(rawId: string): Promise<Row> {
    const id = parseId(rawId);
    const row = await this.deps.db.selectFrom(this.#table).selectAll().where("id", "=", id).executeTakeFirst();
    if (!row) throw notFound(this.#noun, id);
    return row as Row;
  }

  /** The ledger's size now: views link each event's inclusion proof at it. */
  protected async treeSize(): Promise<number> {
    return (await this.deps.reader.head()).size;
  }
}
