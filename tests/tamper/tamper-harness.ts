// The tamper harness: a store populated through the real server, a fresh copy of it per case with one stored value
// changed, and `maestro ledger verify --json` run on that copy. Any table's cases use it: projection tables here
// (projection-tamper.test.ts), ledger tables (ledger_entries, ledger_checkpoints, signing_keys…) in files beside it.
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { type Kysely, sql } from "kysely";
import pg from "pg";
import { ledgerVerifyCommand } from "../../cli/commands/ledger.ts";
import { openStore } from "../../ledger/store/database.ts";
import type { TestStoreConfig } from "../support/test-stores.ts";
import { itemAt } from "../../common/present.ts";

/** A copy of a closed store: PostgreSQL `CREATE DATABASE … TEMPLATE`, the embedded store's data directory copied. */
export async function copyStore(base: TestStoreConfig): Promise<TestStoreConfig> {
  const dataDir = mkdtempSync(join(tmpdir(), "maestro-tamper-"));
  // The data directory holds the key files verify trusts (beside a PostgreSQL database too).
  cpSync(base.dataDir, dataDir, { recursive: true });
  if (!base.databaseUrl) {
    return { kind: base.kind, dataDir, cleanup: async () => rmSync(dataDir, { recursive: true, force: true }) };
  }
  const source = new URL(base.databaseUrl).pathname.slice(1);
  const name = `maestro_tamper_${randomBytes(6).toString("hex")}`;
  await admin(base.databaseUrl, `create database ${name} template ${source}`);
  const url = new URL(base.databaseUrl);
  url.pathname = `/${name}`;
  return {
    kind: base.kind,
    dataDir,
    databaseUrl: url.toString(),
    cleanup: async () => {
      await admin(base.databaseUrl!, `drop database if exists ${name} with (force)`);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function admin(databaseUrl: string, statement: string): Promise<void> {
  const url = new URL(databaseUrl);
  url.pathname = "/postgres";
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

export async function withStoreDb<T>(cfg: TestStoreConfig, f: (db: Kysely<any>) => Promise<T>): Promise<T> {
  const store = await openStore<any>({ dataDir: cfg.dataDir, databaseUrl: cfg.databaseUrl, poolSize: 1 });
  try {
    return await f(store.db);
  } finally {
    await store.close();
  }
}

/** The columns a table stores, with their SQL types. */
export async function storedColumns(db: Kysely<any>, table: string): Promise<Array<{ column: string; type: string }>> {
  const { rows } = await sql<{ column_name: string; data_type: string }>`select column_name, data_type from information_schema.columns
    where table_schema = current_schema() and table_name = ${table} order by ordinal_position`.execute(db);
  return rows.map((r) => ({ column: r.column_name, type: r.data_type }));
}

/** A different value of the same SQL type (a null becomes a value). */
function changed(type: string, column: string): ReturnType<typeof sql> {
  const c = sql.ref(column);
  switch (type) {
    case "text":
      return sql`coalesce(${c}, '') || 'x'`;
    case "bigint":
    case "integer":
    case "smallint":
    case "double precision":
      return sql`coalesce(${c}, 0) + 1`;
    case "boolean":
      return sql`not coalesce(${c}, false)`;
    case "timestamp with time zone":
      return sql`coalesce(${c}, now()) + interval '1 second'`;
    case "bytea":
      return sql`coalesce(${c}, ''::bytea) || '\\x00'::bytea`;
    default:
      throw new Error(`no tampering defined for SQL type ${type} (${column})`);
  }
}

/**
 * Changes `column` in one row of `table` (one that holds a value, if any does), as someone with write access to the
 * database would: the table's foreign-key and check constraints are dropped first, since they only stop the server.
 * A change a unique key refuses (a node's level or index, an entry's index) is tried on the next row, newest first.
 * Returns the value before and after, as text.
 */
export async function tamperOneValue(
  db: Kysely<any>,
  table: string,
  column: string,
): Promise<{ before: string | null; after: string | null }> {
  const { rows: constraints } = await sql<{
    tbl: string;
    conname: string;
  }>`select conrelid::regclass::text as tbl, conname from pg_constraint
    where contype in ('f', 'c') and (conrelid = ${table}::regclass or confrelid = ${table}::regclass)`.execute(db);
  for (const k of constraints) await sql`alter table ${sql.id(k.tbl)} drop constraint ${sql.id(k.conname)}`.execute(db);
  const type = (await storedColumns(db, table)).find((c) => c.column === column)?.type;
  if (!type) throw new Error(`${table} has no column ${column}`);
  const c = sql.ref(column);
  const { rows } = await sql<{
    ctid: string;
    before: string | null;
  }>`select ctid::text as ctid, ${c}::text as before from ${sql.table(table)}
    order by (${c} is null), ctid desc limit 50`.execute(db);
  if (rows.length === 0) throw new Error(`${table} has no rows: the scenario must populate it`);
  for (const row of rows) {
    try {
      const { rows: after } = await sql<{ after: string | null }>`update ${sql.table(table)} set ${c} = ${changed(type, column)}
        where ctid = ${row.ctid}::tid returning ${c}::text as after`.execute(db);
      return { before: row.before, after: itemAt(after, 0, `rows the update of ${table}.${column} returned`).after };
    } catch (err) {
      if ((err as { code?: string }).code !== "23505") throw err;
    }
  }
  throw new Error(`every change of ${table}.${column} breaks a unique key`);
}

/** `maestro ledger verify --json` on the store, in this process (the embedded store admits one opener at a time). */
export async function verifyJson(cfg: TestStoreConfig): Promise<{ code: number; json: any; stdout: string }> {
  const args = [
    "--json",
    "--quiet",
    "--skip-proofs",
    "--data-dir",
    cfg.dataDir,
    ...(cfg.databaseUrl ? ["--database-url", cfg.databaseUrl] : []),
  ];
  let stdout = "";
  const write = process.stdout.write.bind(process.stdout);
  const writeErr = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((chunk: string | Uint8Array) => ((stdout += chunk.toString()), true)) as typeof process.stdout.write;
  process.stderr.write = (() => true) as typeof process.stderr.write;
  // The CLI reads DATABASE_URL as a store beside --data-dir: an embedded copy is read alone.
  const databaseUrl = process.env.DATABASE_URL;
  if (!cfg.databaseUrl) delete process.env.DATABASE_URL;
  let code: number;
  try {
    code = (await ledgerVerifyCommand.run(args)) ?? 0;
  } finally {
    process.stdout.write = write;
    process.stderr.write = writeErr;
    if (databaseUrl !== undefined) process.env.DATABASE_URL = databaseUrl;
  }
  return { code, json: JSON.parse(stdout), stdout };
}

/** Runs `f` on a fresh copy of `base`, then drops the copy. */
export async function onFreshCopy<T>(base: TestStoreConfig, f: (copy: TestStoreConfig) => Promise<T>): Promise<T> {
  const copy = await copyStore(base);
  try {
    return await f(copy);
  } finally {
    await copy.cleanup();
  }
}
