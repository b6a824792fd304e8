// Opens the store: embedded PostgreSQL (PGlite) in a data dir by default, or a PostgreSQL server by URL.
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { PGlite, types } from "@electric-sql/pglite";
import { Kysely, PGliteDialect, PostgresDialect } from "kysely";
import { MaestroError } from "../../common/errors.ts";
import { parseCopyText } from "./copy-text.ts";
import { type CopyOutput, readCopyOut, simpleQuery } from "./copy-stdout.ts";
import { acquireDirLock, type DirLock } from "./dir-lock.ts";

export type StoreKind = "embedded" | "postgres";

export interface StoreOptions {
  /** PostgreSQL connection URL; when absent the embedded store in dataDir is used. */
  databaseUrl?: string;
  dataDir?: string;
  /** Max pooled connections for PostgreSQL. */
  poolSize?: number;
  /**
   * Refuse an embedded store that does not exist yet instead of creating it: a reader or a mistyped
   * --data-dir must not leave an empty store (and a lock file) behind. PostgreSQL is never created here.
   */
  mustExist?: boolean;
  /**
   * Embedded store only: PostgreSQL's buffer cache (`shared_buffers`, e.g. "16MB"; PostgreSQL's default, 128MB, when
   * absent). PGlite zeroes all of it in WebAssembly memory as it starts: ~0.3 s and ~140 MB of a command that reads
   * the store once and exits, which gains nothing from a large cache. The server keeps the default.
   */
  sharedBuffers?: string;
}

export interface Store<DB> {
  db: Kysely<DB>;
  /**
   * The append path's own connection(s): reads queueing for the shared pool never delay a commit.
   * On the embedded store (one connection) it is the same as `db`.
   */
  writerDb: Kysely<DB>;
  kind: StoreKind;
  /**
   * Embedded store only: runs `COPY (query) TO STDOUT WITH (FORMAT binary)` and returns the bytes (read them with
   * copy-binary.ts). PGlite parses every row of an ordinary result into objects in this process, which costs a reader
   * of the whole log (`ledger verify`) more than its checks; one COPY buffer per page does not. The query is SQL text
   * (COPY takes no parameters): callers build it from checked integers only.
   */
  copyOut?: (query: string) => Promise<Uint8Array>;
  /**
   * Embedded store only: every row of a table, as `selectFrom(table).selectAll()` returns them (the same text values
   * through PGlite's own type parsers), read with one COPY instead of a result row by row (copy-text.ts).
   */
  readTable?: (table: string) => Promise<Array<Record<string, unknown>>>;
  close(): Promise<void>;
}

/** PostgreSQL's bigint: tree sizes and indexes, which stay below 2^53, so both stores read them as exact numbers. */
export const INT8_OID = 20;

export async function openStore<DB>(options: StoreOptions): Promise<Store<DB>> {
  if (options.databaseUrl) return openPostgres<DB>(options.databaseUrl, options.poolSize ?? 16);
  return openEmbedded<DB>(options.dataDir ?? ".maestro", options.mustExist ?? false, options.sharedBuffers);
}

async function openPostgres<DB>(url: string, poolSize: number): Promise<Store<DB>> {
  // Loaded only here: the driver is some 35 modules that a command on the embedded store never uses.
  const { postgresPool } = await import("./postgres-pool.ts");
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool: postgresPool(url, poolSize) }) });
  // One connection suffices: appends are serialized on the head row lock anyway; a second lets the
  // next batch begin while a commit is in flight.
  const writerDb = new Kysely<DB>({ dialect: new PostgresDialect({ pool: postgresPool(url, 2) }) });
  return {
    db,
    writerDb,
    kind: "postgres",
    close: async () => {
      await Promise.all([db.destroy(), writerDb.destroy()]);
    },
  };
}

async function openEmbedded<DB>(dataDir: string, mustExist: boolean, sharedBuffers?: string): Promise<Store<DB>> {
  // Passed to PostgreSQL as a start parameter: only a size, never anything that could carry another option.
  if (sharedBuffers !== undefined && !/^[1-9][0-9]{0,5}(kB|MB)$/.test(sharedBuffers)) {
    throw new MaestroError("bad_request", `not a shared_buffers size: ${JSON.stringify(sharedBuffers)} (e.g. "16MB")`);
  }
  // Checked before anything touches the disk, so a refusal writes nothing.
  if (mustExist && !existsSync(join(dataDir, "pgdata"))) {
    throw new MaestroError("not_found", `no embedded store in ${dataDir} (${join(dataDir, "pgdata")} does not exist)`);
  }
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  // PGlite is single-process: a second process on the same files would corrupt them.
  const lock: DirLock = acquireDirLock(join(dataDir, "pgdata.lock"));
  let pglite: PGlite;
  try {
    pglite = await PGlite.create(join(dataDir, "pgdata"), {
      parsers: { [INT8_OID]: (value: string) => Number(value) },
      ...(sharedBuffers && { startParams: [...PGlite.defaultStartParams, "-c", `shared_buffers=${sharedBuffers}`] }),
    });
  } catch (err) {
    lock.release();
    throw new MaestroError("ledger_unavailable", `cannot open embedded store in ${dataDir}`, { cause: err });
  }
  const db = new Kysely<DB>({ dialect: new PGliteDialect({ pglite }) });
  return {
    db,
    writerDb: db,
    kind: "embedded",
    copyOut: async (query) => (await copyToStdout(pglite, `COPY (${query}) TO STDOUT WITH (FORMAT binary)`)).data,
    readTable: async (table) => {
      if (!/^[a-z_][a-z0-9_]*$/.test(table)) throw new Error(`not a table name: ${JSON.stringify(table)}`);
      // The columns COPY writes, in its order, with the type each value's text is parsed as.
      const { rows: columns } = await pglite.query<{ name: string; type: number }>(
        `select attname as name, atttypid::int as type from pg_attribute
         where attrelid = $1::regclass and attnum > 0 and not attisdropped order by attnum`,
        [table],
      );
      const copied = await copyToStdout(pglite, `COPY "${table}" TO STDOUT`);
      const values = parseCopyText(copied.data, columns.length);
      if (values.length !== copied.rows) throw new Error(`COPY of ${table}: ${values.length} rows read, ${copied.rows} written`);
      // A plain loop per row (parseCopyText gave each row exactly one value per column): building each row with
      // fromEntries over a mapped array was most of reading a table in a 50,000-event verify.
      const names = columns.map((c) => c.name);
      const typeIds = columns.map((c) => c.type);
      return values.map((row) => {
        const out: Record<string, unknown> = {};
        for (let i = 0; i < names.length; i++) out[names[i]!] = types.parseType(row[i] ?? null, typeIds[i]!, pglite.parsers);
        return out;
      });
    },
    close: async () => {
      await db.destroy();
      lock.release();
    },
  };
}

/**
 * One COPY … TO STDOUT, its answer read off the wire protocol (copy-stdout.ts). In a transaction of its own, as a
 * query() takes one: it waits for any open transaction (Kysely's hold the instance) and never runs inside one.
 */
function copyToStdout(pglite: PGlite, query: string): Promise<CopyOutput> {
  return pglite.transaction(() =>
    pglite.runExclusive(async () => {
      let answer = new Uint8Array(1 << 20);
      let size = 0;
      await pglite.execProtocolRawStream(simpleQuery(query), {
        syncToFs: false,
        // A view of PostgreSQL's send buffer, reused for the next chunk: copied into one growing buffer here.
        onRawData: (chunk) => {
          if (size + chunk.length > answer.length) {
            const grown = new Uint8Array(Math.max(answer.length * 2, size + chunk.length));
            grown.set(answer.subarray(0, size));
            answer = grown;
          }
          answer.set(chunk, size);
          size += chunk.length;
        },
      });
      return readCopyOut(answer.subarray(0, size));
    }),
  );
}
