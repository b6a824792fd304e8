// The PostgreSQL driver's connection pool, and the client in it that sends marked statements prepared (prepared.ts).
// database.ts loads this module only when it opens PostgreSQL.
import { createHash } from "node:crypto";
import pg from "pg";
import { INT8_OID } from "./database.ts";
import { PREPARED_MARK } from "./prepared.ts";

export function postgresPool(url: string, poolSize: number): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
    // A store that does not answer a connect within this is unreachable (503), not a request that hangs for good.
    connectionTimeoutMillis: 5_000,
    // Statements marked in prepared.ts are parsed once per connection.
    Client: PreparingClient,
    // Tree sizes and indexes are bigint columns; they stay below 2^53, so numbers are exact.
    types: {
      getTypeParser: (oid: number, format?: "text" | "binary") =>
        oid === INT8_OID ? Number : pg.types.getTypeParser(oid, format as "text"),
    } as pg.CustomTypesConfig,
  });
  // A dropped connection must not crash the process (pg emits 'error' on idle and checked-out
  // clients alike); the query in flight rejects and the caller reports the outage.
  pool.on("error", () => {});
  pool.on("connect", (client) => client.on("error", () => {}));
  return pool;
}

/** Named statements one connection keeps at most; past it, marked texts run unnamed (nothing grows without bound). */
const MAX_NAMED_PER_CONNECTION = 64;

/** A pg.Client that sends marked texts as named (server-side prepared) statements. */
export class PreparingClient extends pg.Client {
  readonly #names = new Map<string, string>();

  // pg's overloads are many; kysely calls query(text, values), the only form rewritten here.
  override query(...args: unknown[]): never {
    const query = super.query as unknown as (...a: unknown[]) => never;
    const [text, values] = args;
    if (typeof text === "string" && text.startsWith(PREPARED_MARK) && (Array.isArray(values) || values === undefined)) {
      const name = this.#nameFor(text);
      if (name) return query.call(this, { name, text, values });
    }
    return query.apply(this, args);
  }

  #nameFor(text: string): string | undefined {
    const known = this.#names.get(text);
    if (known || this.#names.size >= MAX_NAMED_PER_CONNECTION) return known;
    const name = `maestro_${createHash("sha256").update(text).digest("hex").slice(0, 24)}`;
    this.#names.set(text, name);
    return name;
  }
}
