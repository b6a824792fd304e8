// Where `maestro ledger …` reads a ledger from: a store opened read-only (data dir / database URL) or the Evidence API.
import type { JWK } from "jose";
import { type Kysely, sql } from "kysely";
import { isMaestroError, MaestroError } from "../../common/errors.ts";
import { decodeHash, fromBase64, mergeSignatureLines, parseCosignerVkey, splitNote, verifyCosignature } from "../../ledger/core/index.ts";
import { type KeyAnchors, readKeyAnchors } from "../../ledger/keys/key-anchors.ts";
import { keysDirFor } from "../../ledger/keys/keyring.ts";
import { DEFAULT_ORIGIN } from "../../ledger/open-ledger.ts";
import { LedgerReader } from "../../ledger/read/ledger-reader.ts";
import { openStore, type Store } from "../../ledger/store/database.ts";
import type { LedgerTables } from "../../ledger/store/schema.ts";
import type { CosignatureRow, LevelReader, StoredRows, VerifyEntry } from "../../ledger/verify/index.ts";
import { reasonOf, storeFrom, UsageError } from "../command.ts";
import { baseUrl, errorMessage, fetchJson } from "../http-client.ts";
import { itemAt } from "../../common/present.ts";

export interface LedgerSource {
  describe: string;
  /** Where eventKeys() and checkpointKeys() come from, for the note that says keys were not pinned. */
  keysFrom: string;
  /** The committed head when the run starts; entries are read up to its size. */
  head(): Promise<{ size: number; root?: Uint8Array }>;
  /** Pages of raw rows from index `from` (default 0), in index order, up to `size`. */
  entries(size: number, from?: number): AsyncIterable<VerifyEntry[]>;
  entry(index: number): Promise<VerifyEntry>;
  checkpoints(): Promise<Array<{ size: number; note: string }>>;
  eventKeys(): Promise<JWK[]>;
  checkpointKeys(): Promise<string[]>;
  consistencyProof(from: number, to: number): Promise<Uint8Array[]>;
  inclusionProof(index: number, size: number): Promise<Uint8Array[]>;
  /**
   * Store mode only: the projection tables as stored, read in one snapshot with the head size they stand at (a running
   * server may have appended since the log was read: the replay then folds up to that size first).
   */
  projectionSnapshot?: (tables: string[]) => Promise<{ size: number; rows: Map<string, Array<Record<string, unknown>>> } | null>;
  /** Store mode only: stored hashes per tree level, so interior nodes can be checked too. */
  levelHashes?: LevelReader;
  /** Store mode only: checkpoint, cosignature and key rows, which the verifier recomputes from their signed text. */
  rows?: () => Promise<StoredRows>;
  close(): Promise<void>;
}

const PAGE = 1000;

/** The embedded store's buffer cache for a command that opens it once (docs/benchmarks.md, embedded verify). */
const READER_SHARED_BUFFERS = "16MB";

/**
 * Checkpoint notes with the stored witness cosignatures that verify over them (what a server serves); a line that does
 * not verify is left out here and reported as a row by the stored-rows check, a note that does not parse is the
 * checkpoint check's to report. A store from before witnessing has no cosignatures (and no table).
 */
function cosignedNotes(cps: Array<{ id: number; note: string }>, cosignatures: CosignatureRow[]): string[] {
  return cps.map((cp) => {
    let body: string;
    try {
      body = splitNote(cp.note).body;
    } catch {
      return cp.note;
    }
    const lines = cosignatures
      .filter((c) => c.checkpointId === cp.id)
      .filter((c) => {
        try {
          return verifyCosignature(body, c.line, parseCosignerVkey(c.witness)) !== null;
        } catch {
          return false;
        }
      })
      .map((c) => c.line);
    return lines.length === 0 ? cp.note : mergeSignatureLines(cp.note, lines);
  });
}

async function cosignatureRows(db: Store<LedgerTables>["db"]): Promise<CosignatureRow[]> {
  try {
    const rows = await db.selectFrom("ledger_cosignatures").select(["checkpoint_id", "witness", "line", "signed_at"]).execute();
    return rows.map((r) => ({ checkpointId: Number(r.checkpoint_id), witness: r.witness, line: r.line, signedAt: Number(r.signed_at) }));
  } catch (err) {
    if (/ledger_cosignatures/.test(String((err as Error)?.message))) return [];
    throw err;
  }
}

/**
 * A store that already holds a ledger, opened without creating anything (no data dir, no tables, no keys): the
 * check every reader and `ledger checkpoint` make before they touch the ledger or load a signing key.
 */
export async function openLedgerStore(
  options: { dataDir: string; databaseUrl?: string },
  poolSize: number,
): Promise<{ store: Store<LedgerTables>; describe: string }> {
  const describe = options.databaseUrl ? `database ${redact(options.databaseUrl)}` : `embedded store ${options.dataDir}`;
  let store: Store<LedgerTables>;
  try {
    // A command reads the store and exits: a small buffer cache starts sooner (database.ts, sharedBuffers).
    store = await openStore<LedgerTables>({ ...options, poolSize, mustExist: true, sharedBuffers: READER_SHARED_BUFFERS });
  } catch (err) {
    // No store where --data-dir points is a typo, not a ledger that failed: exit 2 like any bad argument.
    if (isMaestroError(err) && err.code === "not_found") throw new UsageError(`${err.message}; check --data-dir (or MAESTRO_DATA_DIR)`);
    throw err;
  }
  try {
    await new LedgerReader(store.db).head();
  } catch (err) {
    await store.close();
    // 42P01 undefined_table: the store answers but no server has created a ledger in it. Anything else
    // (refused, bad password, no such database) is named, or it would read as an empty store.
    if ((err as { code?: unknown }).code === "42P01") {
      throw new MaestroError("ledger_unavailable", `no ledger in ${describe} (has a server ever run on it?)`, { cause: err });
    }
    throw new MaestroError(
      "ledger_unavailable",
      `cannot read the ledger in ${describe}: ${hidePassword(reasonOf(err), options.databaseUrl)}`,
      { cause: err },
    );
  }
  return { store, describe };
}

export type SourceChoice =
  { kind: "http"; url: string; why: string } | { kind: "store"; why: string; store: { dataDir: string; databaseUrl?: string } };

/**
 * Where a ledger or evidence command reads: a flag names it; else MAESTRO_URL (the server every other command
 * talks to), else the store the environment names, else ./.maestro. A command given nothing used to open
 * ./.maestro silently while MAESTRO_URL pointed at the server the user meant.
 */
export function chooseSource(
  values: { url?: string; "data-dir"?: string; "database-url"?: string },
  env: NodeJS.ProcessEnv = process.env,
): SourceChoice {
  // A store is a database URL, a data directory, or both (the directory then holds the keys beside the database).
  const storeFlags = [values["database-url"] && "--database-url", values["data-dir"] && "--data-dir"].filter(Boolean);
  if (values.url && storeFlags.length > 0)
    throw new UsageError(`give --url or a store (--data-dir, --database-url), not both (got --url and ${storeFlags.join(" and ")})`);
  if (values.url) return { kind: "http", url: values.url, why: "--url" };
  const store = (why: string): SourceChoice => ({ kind: "store", store: storeFrom(values), why });
  if (storeFlags.length > 0) return store(String(storeFlags[0]));
  if (env.MAESTRO_URL) return { kind: "http", url: env.MAESTRO_URL, why: "MAESTRO_URL" };
  if (env.DATABASE_URL) return store("DATABASE_URL");
  if (env.MAESTRO_DATA_DIR) return store("MAESTRO_DATA_DIR");
  return store("the default; set MAESTRO_URL or pass --url to read a running server");
}

/**
 * One stderr line naming what was read, so a wrong guess is seen at once (stdout stays the result). Said once the
 * source answered: a failure before that is the one error line, and it names the URL or store itself.
 */
export function announceSource(describe: string, why: string): void {
  process.stderr.write(`reading ${describe} (${why})\n`);
}

/** Store mode: only SELECTs, no migrations. The embedded store is single-process, so its server must be stopped. */
export async function storeSource(options: { dataDir: string; databaseUrl?: string }): Promise<LedgerSource> {
  const { store, describe } = await openLedgerStore(options, 4);
  const reader = new LedgerReader(store.db, store.copyOut);
  const keysDir = keysDirFor(options.dataDir);
  const anchors = async (): Promise<KeyAnchors> => {
    const latest = await reader.latestCheckpoint();
    const origin = process.env.MAESTRO_LOG_ORIGIN ?? latest?.note.slice(0, latest.note.indexOf("\n")) ?? DEFAULT_ORIGIN;
    const found = readKeyAnchors(keysDir, origin);
    if (!found) {
      throw new UsageError(
        `no key files in ${keysDir} to trust: pass --jwks and --key (keys you trust, from outside the store), or the --data-dir whose keys/ holds them`,
      );
    }
    return found;
  };
  return {
    describe,
    keysFrom: `the key files in ${keysDir}`,
    head: () => reader.head(),
    async *entries(size, start = 0) {
      for (let from = start; from < size;) {
        const page = await reader.entriesWithColumns(from, Math.min(PAGE, size - from));
        const last = page.at(-1);
        if (last === undefined) return;
        yield page;
        from = last.index + 1; // after the last row, so gaps stay visible
      }
    },
    entry: async (index) => {
      const [row] = await reader.rawEntries(index, 1);
      if (!row || row.index !== index) throw new MaestroError("not_found", `no ledger entry at index ${index}`, { field: "index" });
      return row;
    },
    checkpoints: async () => {
      const all = await reader.checkpoints();
      const notes = cosignedNotes(all, await cosignatureRows(store.db));
      return all.map((c, i) => ({ size: c.size, note: itemAt(notes, i, "cosigned checkpoint notes") }));
    },
    // Trust comes from the key files beside the store, never from its signing_keys rows (anyone who can write the
    // database could add one); key.added events in the log extend it as the verifier reads.
    eventKeys: async () => (await anchors()).eventKeys,
    checkpointKeys: async () => (await anchors()).checkpointKeys,
    consistencyProof: async (from, to) => (await reader.consistencyProof(from, to)).hashes,
    inclusionProof: async (index, size) => (await reader.inclusionProof(index, size)).hashes,
    levelHashes: (level, from, limit) => reader.levelHashes(level, from, limit),
    rows: async () => ({
      checkpoints: (await reader.checkpoints()).map(({ id, size, root, note }) => ({ id, size, root, note })),
      cosignatures: await cosignatureRows(store.db),
      keys: (await reader.publicKeys()).map((k) => ({ kid: k.kid, purpose: k.purpose, publicJwk: k.public_jwk, vkey: k.vkey })),
    }),
    projectionSnapshot: (tables) => {
      const { readTable } = store;
      // The embedded store is this process's alone (its directory lock), so reads one after another are one snapshot;
      // each table comes as one COPY there (readTable), which costs a fraction of reading it row by row.
      if (readTable) return projectionRows(store.db as Kysely<any>, tables, readTable);
      return (store.db as Kysely<any>)
        .transaction()
        .setIsolationLevel("repeatable read")
        .execute((trx) => projectionRows(trx, tables, (table) => trx.selectFrom(table).selectAll().execute()));
    },
    close: () => store.close(),
  };
}

/** The head size and every projection table's rows, read through `db` (a transaction on PostgreSQL) and `readTable`. */
async function projectionRows(
  db: Kysely<any>,
  tables: string[],
  readTable: (table: string) => Promise<Array<Record<string, unknown>>>,
): Promise<{ size: number; rows: Map<string, Array<Record<string, unknown>>> } | null> {
  const head = await db.selectFrom("ledger_head").select("size").where("id", "=", 1).executeTakeFirstOrThrow();
  // A projection table dropped is compared as empty (its rows are all missing).
  const { rows: present } = await sql<{ table_name: string }>`select table_name from information_schema.tables
    where table_schema = current_schema()`.execute(db);
  const exists = new Set(present.map((r) => r.table_name));
  // None of them: a ledger without the server's tables (a bench, a ledger test), nothing to compare.
  if (!tables.some((t) => exists.has(t))) return null;
  const rows = new Map<string, Array<Record<string, unknown>>>();
  for (const table of tables) rows.set(table, exists.has(table) ? await readTable(table) : []);
  return { size: Number(head.size), rows };
}

/** HTTP mode: the Evidence API (auditor token unless the server allows public reads). */
export function httpSource(base: string, token?: string, onFirstAnswer?: () => void): LedgerSource {
  const root = baseUrl(base);
  let answered = false;
  const json = async <T>(path: string): Promise<T> => {
    const res = await fetchJson(`${root}${path}`, { headers: token ? { Authorization: `Bearer ${token}` } : {} });
    if (!res.ok) {
      const hint = res.status === 401 || res.status === 403 ? " (pass an auditor token with --token or MAESTRO_TOKEN)" : "";
      throw new MaestroError("ledger_unavailable", `GET ${root}${path}: HTTP ${res.status} ${errorMessage(res.body)}`.trim() + hint);
    }
    if (!answered) {
      answered = true;
      onFirstAnswer?.();
    }
    return res.body as T;
  };
  type Page = {
    size: number;
    entries: Array<{ index: number; leafHash: string; canonical: string; signature: string }>;
    next: number | null;
  };
  const toEntry = (e: Page["entries"][number]): VerifyEntry => ({
    index: e.index,
    leafHash: fromBase64(e.leafHash, "leafHash"),
    canonical: fromBase64(e.canonical, "canonical"),
    signature: e.signature,
  });
  const hashes = (list: string[]) => list.map((h, i) => decodeHash(h, `hashes/${i}`));
  return {
    describe: root,
    keysFrom: `${root} itself (its published keys)`,
    head: async () => ({ size: (await json<Page>("/v1/ledger/entries?from=0&limit=1")).size }),
    async *entries(size, start = 0) {
      for (let from = start; from < size;) {
        const page = await json<Page>(`/v1/ledger/entries?from=${from}&limit=${Math.min(PAGE, size - from)}`);
        const last = page.entries.at(-1);
        if (last === undefined) return;
        yield page.entries.map(toEntry);
        from = last.index + 1;
      }
    },
    entry: async (index) => toEntry(await json<Page["entries"][number]>(`/v1/ledger/entries/${index}`)),
    checkpoints: async () => (await json<{ checkpoints: Array<{ size: number; note: string }> }>("/v1/ledger/checkpoints")).checkpoints,
    eventKeys: async () => (await json<{ keys: JWK[] }>("/.well-known/jwks.json")).keys,
    checkpointKeys: async () => (await json<{ checkpoint: Array<{ vkey: string }> }>("/v1/ledger/keys")).checkpoint.map((k) => k.vkey),
    consistencyProof: async (from, to) =>
      hashes((await json<{ hashes: string[] }>(`/v1/ledger/proofs/consistency?from=${from}&to=${to}`)).hashes),
    inclusionProof: async (index, size) =>
      hashes((await json<{ hashes: string[] }>(`/v1/ledger/proofs/inclusion?index=${index}&size=${size}`)).hashes),
    close: async () => {},
  };
}

function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return "(database url)";
  }
}

/** A driver message could quote the connection string; the password never reaches the terminal. */
function hidePassword(text: string, url: string | undefined): string {
  if (!url) return text;
  const secrets = [url];
  try {
    const password = new URL(url).password;
    if (password) secrets.push(password, decodeURIComponent(password));
  } catch {}
  return secrets.reduce((out, secret) => out.split(secret).join("***"), text);
}
