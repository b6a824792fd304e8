// Full `maestro ledger verify` on the bench ledger (prints figures; not a test), side by side in one run with the
// verify of an earlier commit and a floor that only reads the rows, repeated so the figures are ranges.
//
//   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npm run bench:verify      (embedded store without it)
//   BENCH_BASE=<commit> (default HEAD~1): whose verify is "before"; BENCH_VERIFY_SIZE (50,000), BENCH_REPEATS (3)
//
// Target (issue #15): full verify, replay included, >= 10,000 events/s. Each row runs the real CLI as a child
// process against the same store, so it counts what an auditor waits for: start, reads, checks, exit.
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { loadKeyring } from "../ledger/keys/keyring.ts";
import { openLedger } from "../ledger/open-ledger.ts";
import { LedgerReader } from "../ledger/read/ledger-reader.ts";
import { openStore } from "../ledger/store/database.ts";
import { migrateToLatest } from "../ledger/store/migrate.ts";
import { ledgerMigrations } from "../ledger/store/migrations.ts";
import type { LedgerTables } from "../ledger/store/schema.ts";
import { fastFill } from "./ledger-fill.ts";
import { printTable, tempDir, throwawayDatabase } from "./support.ts";

const REPO = join(import.meta.dirname, "..");
const SIZE = Number(process.env.BENCH_VERIFY_SIZE ?? 50_000);
const REPEATS = Number(process.env.BENCH_REPEATS ?? 3);
const BASE = process.env.BENCH_BASE ?? "HEAD~1";
const ORIGIN = "bench.maestro/ledger";

/** A checkout of BASE beside this one (git worktree), sharing node_modules, so its CLI runs as it was. */
function checkoutBase(): { dir: string; commit: string; remove(): void } {
  const commit = execFileSync("git", ["rev-parse", "--short", BASE], { cwd: REPO, encoding: "utf8" }).trim();
  const dir = mkdtempSync(join(tmpdir(), "maestro-bench-base-"));
  execFileSync("git", ["worktree", "add", "--detach", dir, commit], { cwd: REPO, stdio: "ignore" });
  symlinkSync(join(REPO, "node_modules"), join(dir, "node_modules"));
  return {
    dir,
    commit,
    remove: () => {
      execFileSync("git", ["worktree", "remove", "--force", dir], { cwd: REPO, stdio: "ignore" });
      if (existsSync(dir)) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Runs `maestro ledger verify --json` from `repo` against the store; resolves with the wall time in seconds. */
function runVerify(repo: string, store: { dataDir: string; databaseUrl?: string }): Promise<number> {
  const args = [join(repo, "cli", "main.ts"), "ledger", "verify", "--json", "--quiet", "--data-dir", store.dataDir];
  if (store.databaseUrl) args.push("--database-url", store.databaseUrl);
  const env: NodeJS.ProcessEnv = { ...process.env, MAESTRO_LOG_ORIGIN: ORIGIN };
  delete env.DATABASE_URL;
  delete env.MAESTRO_URL;
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, args, { cwd: repo, env });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.resume();
    child.on("error", reject);
    child.on("close", (code) => {
      const seconds = (performance.now() - t0) / 1000;
      if (code !== 0) return reject(new Error(`verify from ${repo} exited ${code}: ${out.slice(0, 500)}`));
      resolve(seconds);
    });
  });
}

/** The floor: every entry row read in the CLI's page size, nothing checked. */
async function readRows(store: { dataDir: string; databaseUrl?: string }): Promise<number> {
  const t0 = performance.now();
  const opened = await openStore<LedgerTables>({ ...store, poolSize: 4, mustExist: true });
  try {
    const reader = new LedgerReader(opened.db);
    for (let from = 0; from < SIZE; from += 1000) await reader.entriesWithColumns(from, 1000);
  } finally {
    await opened.close();
  }
  return (performance.now() - t0) / 1000;
}

function range(seconds: number[]): string {
  const rates = seconds.map((s) => Math.round(SIZE / s)).sort((a, b) => a - b);
  return rates[0] === rates.at(-1) ? `${rates[0]}` : `${rates[0]}–${rates.at(-1)}`;
}

async function main() {
  const kind = process.env.DATABASE_URL ? "postgres" : "embedded";
  const dir = tempDir("maestro-bench-verify-");
  const db = kind === "postgres" ? await throwawayDatabase() : null;
  const store = { dataDir: dir.dir, databaseUrl: db?.url };
  const base = checkoutBase();
  try {
    const opened = await openStore<LedgerTables>({ ...store, poolSize: 4 });
    try {
      await migrateToLatest(opened.db, ledgerMigrations);
      const ledger = await openLedger(opened.db, await loadKeyring(dir.dir), { origin: ORIGIN });
      await fastFill(opened.db, SIZE, { kid: ledger.keyring.event.kid, privateKey: ledger.keyring.event.privateKey });
      await ledger.checkpointer.issue();
    } finally {
      await opened.close();
    }
    const times = { floor: [] as number[], before: [] as number[], after: [] as number[] };
    // Interleaved, so a burst of load on the shared machine falls on every row alike.
    for (let r = 0; r < REPEATS; r++) {
      times.floor.push(await readRows(store));
      times.before.push(await runVerify(base.dir, store));
      times.after.push(await runVerify(REPO, store));
    }
    const head = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: REPO, encoding: "utf8" }).trim();
    const row = (what: string, seconds: number[]) => ({
      row: what,
      store: kind,
      events: SIZE,
      [`events/s (${REPEATS} runs)`]: range(seconds),
      "best s": Math.min(...seconds).toFixed(2),
    });
    printTable(`ledger verify, ${SIZE} events, ${availableParallelism()} cores, load ${loadavg()[0].toFixed(1)}`, [
      row("floor: read every entry row, no checks", times.floor),
      row(`maestro ledger verify at ${base.commit} (before)`, times.before),
      row(`maestro ledger verify at ${head} (this checkout)`, times.after),
    ]);
  } finally {
    base.remove();
    await db?.drop();
    dir.remove();
  }
}

await main();
