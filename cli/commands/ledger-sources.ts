// Where `maestro ledger …` reads a ledger from: a store opened read-only (data dir / database URL) or the Evidence API.
import type { JWK } from "jose";
import { MaestroError } from "../../common/errors.ts";
import { decodeHash, fromBase64 } from "../../ledger/core/index.ts";
import { LedgerReader } from "../../ledger/read/ledger-reader.ts";
import { openStore } from "../../ledger/store/database.ts";
import type { LedgerTables } from "../../ledger/store/schema.ts";
import type { LevelReader, VerifyEntry } from "../../ledger/verify/index.ts";

export interface LedgerSource {
  describe: string;
  /** The committed head when the run starts; entries are read up to its size. */
  head(): Promise<{ size: number; root?: Uint8Array }>;
  /** Pages of raw rows from index 0, in index order, up to `size`. */
  entries(size: number): AsyncIterable<VerifyEntry[]>;
  entry(index: number): Promise<VerifyEntry>;
  checkpoints(): Promise<Array<{ size: number; note: string }>>;
  eventKeys(): Promise<JWK[]>;
  checkpointKeys(): Promise<string[]>;
  consistencyProof(from: number, to: number): Promise<Uint8Array[]>;
  inclusionProof(index: number, size: number): Promise<Uint8Array[]>;
  /** Store mode only: stored hashes per tree level, so interior nodes can be checked too. */
  levelHashes?: LevelReader;
  close(): Promise<void>;
}

const PAGE = 1000;

/** Store mode: only SELECTs, no migrations. The embedded store is single-process, so its server must be stopped. */
export async function storeSource(options: { dataDir: string; databaseUrl?: string }): Promise<LedgerSource> {
  const store = await openStore<LedgerTables>({ ...options, poolSize: 4 });
  const reader = new LedgerReader(store.db);
  const describe = options.databaseUrl ? `database ${redact(options.databaseUrl)}` : `embedded store ${options.dataDir}`;
  try {
    await reader.head();
  } catch (err) {
    await store.close();
    throw new MaestroError("ledger_unavailable", `no ledger in ${describe} (has a server ever run on it?)`, { cause: err });
  }
  return {
    describe,
    head: () => reader.head(),
    async *entries(size) {
      for (let from = 0; from < size; ) {
        const page = await reader.rawEntries(from, Math.min(PAGE, size - from));
        if (page.length === 0) return;
        yield page;
        from = page[page.length - 1].index + 1; // after the last row, so gaps stay visible
      }
    },
    entry: async (index) => {
      const [row] = await reader.rawEntries(index, 1);
      if (!row || row.index !== index) throw new MaestroError("not_found", `no ledger entry at index ${index}`, { field: "index" });
      return row;
    },
    checkpoints: async () => (await reader.checkpoints()).map((c) => ({ size: c.size, note: c.note })),
    eventKeys: async () => (await reader.publicKeys("event")).map((r) => JSON.parse(r.public_jwk) as JWK),
    checkpointKeys: async () => (await reader.publicKeys("checkpoint")).flatMap((r) => (r.vkey ? [r.vkey] : [])),
    consistencyProof: async (from, to) => (await reader.consistencyProof(from, to)).hashes,
    inclusionProof: async (index, size) => (await reader.inclusionProof(index, size)).hashes,
    levelHashes: (level, from, limit) => reader.levelHashes(level, from, limit),
    close: () => store.close(),
  };
}

/** HTTP mode: the Evidence API (auditor token unless the server allows public reads). */
export function httpSource(base: string, token?: string): LedgerSource {
  const root = base.replace(/\/+$/, "");
  const get = async (path: string): Promise<Response> => {
    let res: Response;
    try {
      res = await fetch(`${root}${path}`, { headers: token ? { Authorization: `Bearer ${token}` } : {} });
    } catch (err) {
      throw new MaestroError("ledger_unavailable", `cannot reach ${root}: ${err instanceof Error ? err.message : err}`, { cause: err });
    }
    if (!res.ok) {
      const body = (await res.json().catch(() => null)) as { error?: { message?: string } } | null;
      const hint = res.status === 401 || res.status === 403 ? " (pass an auditor token with --token or MAESTRO_TOKEN)" : "";
      throw new MaestroError("ledger_unavailable", `GET ${path}: HTTP ${res.status} ${body?.error?.message ?? ""}${hint}`.trim());
    }
    return res;
  };
  const json = async <T>(path: string) => (await (await get(path)).json()) as T;
  type Page = { size: number; entries: Array<{ index: number; leafHash: string; canonical: string; signature: string }>; next: number | null };
  const toEntry = (e: Page["entries"][number]): VerifyEntry => ({
    index: e.index,
    leafHash: fromBase64(e.leafHash, "leafHash"),
    canonical: fromBase64(e.canonical, "canonical"),
    signature: e.signature,
  });
  const hashes = (list: string[]) => list.map((h, i) => decodeHash(h, `hashes/${i}`));
  return {
    describe: root,
    head: async () => ({ size: (await json<Page>("/v1/ledger/entries?from=0&limit=1")).size }),
    async *entries(size) {
      for (let from = 0; from < size; ) {
        const page = await json<Page>(`/v1/ledger/entries?from=${from}&limit=${Math.min(PAGE, size - from)}`);
        if (page.entries.length === 0) return;
        yield page.entries.map(toEntry);
        from = page.entries[page.entries.length - 1].index + 1;
      }
    },
    entry: async (index) => toEntry(await json<Page["entries"][number]>(`/v1/ledger/entries/${index}`)),
    checkpoints: async () => (await json<{ checkpoints: Array<{ size: number; note: string }> }>("/v1/ledger/checkpoints")).checkpoints,
    eventKeys: async () => (await json<{ keys: JWK[] }>("/.well-known/jwks.json")).keys,
    checkpointKeys: async () => (await json<{ checkpoint: Array<{ vkey: string }> }>("/v1/ledger/keys")).checkpoint.map((k) => k.vkey),
    consistencyProof: async (from, to) => hashes((await json<{ hashes: string[] }>(`/v1/ledger/proofs/consistency?from=${from}&to=${to}`)).hashes),
    inclusionProof: async (index, size) => hashes((await json<{ hashes: string[] }>(`/v1/ledger/proofs/inclusion?index=${index}&size=${size}`)).hashes),
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
