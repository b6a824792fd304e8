// Test helpers for the ledger suites: a real ledger on a test store, raw SQL access, and the CLI as a child process.
import { spawn } from "node:child_process";
import { join } from "node:path";
import type { Kysely } from "kysely";
import { loadKeyring } from "../../ledger/keys/keyring.ts";
import { type Ledger, openLedger } from "../../ledger/open-ledger.ts";
import { openStore, type Store } from "../../ledger/store/database.ts";
import { migrateToLatest } from "../../ledger/store/migrate.ts";
import { ledgerMigrations } from "../../ledger/store/migrations.ts";
import type { LedgerTables } from "../../ledger/store/schema.ts";
import type { EventInput } from "../../ledger/event/envelope.ts";
import { verifyLog } from "../../ledger/verify/index.ts";
import type { Services } from "../../server/index.ts";
import type { TestStoreConfig } from "../support/test-stores.ts";

export const ORIGIN = "maestro.test/ledger";
const REPO = join(import.meta.dirname, "..", "..");

export interface OpenTestLedger {
  store: Store<LedgerTables>;
  db: Kysely<LedgerTables>;
  ledger: Ledger;
  close(): Promise<void>;
}

/** The production wiring (openLedger: writer, reader, checkpointer, published keys) on a test store. */
export async function openTestLedger(
  cfg: TestStoreConfig,
  options: { poolSize?: number; migrate?: boolean } = {},
): Promise<OpenTestLedger> {
  const store = await openStore<LedgerTables>({ dataDir: cfg.dataDir, databaseUrl: cfg.databaseUrl, poolSize: options.poolSize });
  // Only on a fresh store: kysely refuses a migration list that lacks the server's later migrations.
  if (options.migrate !== false) await migrateToLatest(store.db, ledgerMigrations);
  const ledger = await openLedger(store.db, await loadKeyring(cfg.dataDir), { origin: ORIGIN });
  return { store, db: store.db, ledger, close: () => store.close() };
}

/** `maestro ledger verify`'s checks over a server's whole stored log: every entry, checkpoint and published key. */
export async function verifyStoredLog(ctx: Services) {
  const { reader } = ctx.ledger;
  return verifyLog({
    entries: await reader.rawEntries(0, 100_000),
    checkpoints: (await reader.checkpoints()).map((c) => c.note),
    eventKeys: await ctx.eventJwks(),
    checkpointKeys: (await reader.publicKeys("checkpoint")).map((r) => r.vkey as string),
    head: await reader.head(),
    consistencyProof: async (m, n) => (await reader.consistencyProof(m, n)).hashes,
    workers: 0,
  });
}

export function testEvent(i: number): EventInput {
  return {
    // Not "decision": a decision event is folded into the mediations projection, and this payload is not a decision.
    kind: "test.entry",
    actor: { type: "agent", id: `agent-${i % 4}` },
    subject: { type: "test", id: `d-${i}` },
    payload: { n: i },
  };
}

/** Opens the store, runs `f`, closes it again (the embedded store admits one process at a time). */
export async function withDb<T>(cfg: TestStoreConfig, f: (db: Kysely<LedgerTables>) => Promise<T>): Promise<T> {
  const store = await openStore<LedgerTables>({ dataDir: cfg.dataDir, databaseUrl: cfg.databaseUrl, poolSize: 1 });
  try {
    return await f(store.db);
  } finally {
    await store.close();
  }
}

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
  json?: any;
}

export interface CliOptions {
  cwd?: string;
  /** `ulimit -f` in 512-byte blocks: writes past it fail with EFBIG, the way a full disk fails them. */
  maxFileBlocks?: number;
  /** Through `bin/maestro`, the launcher a user runs (it gives Node its flags), instead of `node cli/main.ts`. */
  launcher?: boolean;
}

/** Runs the real `maestro` CLI (node cli/main.ts) with the test store as its source. */
export function runCli(args: string[], cfg?: TestStoreConfig, env: Record<string, string> = {}, options: CliOptions = {}): Promise<CliRun> {
  const storeArgs = cfg ? (cfg.databaseUrl ? ["--database-url", cfg.databaseUrl] : ["--data-dir", cfg.dataDir]) : [];
  const childEnv: NodeJS.ProcessEnv = { ...process.env, MAESTRO_LOG_ORIGIN: ORIGIN, ...env };
  delete childEnv.DATABASE_URL; // the flags name the store; an inherited URL must not redirect the embedded runs
  if (cfg) childEnv.MAESTRO_DATA_DIR = cfg.dataDir;
  return new Promise((resolve, reject) => {
    const argv = [join(REPO, "cli", "main.ts"), ...args, ...storeArgs];
    const child = options.launcher
      ? spawn(join(REPO, "bin", "maestro"), [...args, ...storeArgs], { env: childEnv, cwd: options.cwd ?? REPO })
      : options.maxFileBlocks === undefined
        ? spawn(process.execPath, argv, { env: childEnv, cwd: options.cwd ?? REPO })
        : spawn("/bin/sh", ["-c", `ulimit -f ${options.maxFileBlocks} && exec "$0" "$@"`, process.execPath, ...argv], {
            env: { ...childEnv, NODE_DISABLE_COMPILE_CACHE: "1" }, // the cache's own files must not hit the limit
            cwd: options.cwd ?? REPO,
          });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => {
      let json: unknown;
      try {
        json = JSON.parse(stdout);
      } catch {}
      resolve({ code: code ?? -1, stdout, stderr, json });
    });
  });
}
