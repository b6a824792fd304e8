// Full `maestro ledger verify` on the bench ledger (prints figures; not a test), side by side in one run with the
// verify of an earlier commit and a floor that only reads the rows, repeated so the figures are ranges.
//
//   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npm run bench:verify      (embedded store without it)
//   BENCH_BASE=<commit> (default HEAD~1): whose verify is "before"; BENCH_VERIFY_SIZE (50,000), BENCH_REPEATS (3)
//
// Target (issue #15): full verify, replay included, >= 10,000 events/s. Each row runs the real CLI as a child
// process against the same store, so it counts what an auditor waits for: start, reads, checks, exit.
//
// The bench ledger is what a server mostly appends: decisions and their outcomes, a few run-sets
// (bench/projection-fill.ts), in a store with the server's tables and the rows the events fold to, so the replay
// folds and compares as it does on a server's store. Each verify row also gives the CPU the process used (all its
// threads, from the shell's `times`): on a shared machine that, not the wall time, says what the code costs.
import { execFileSync, spawn } from "node:child_process";
import type { Kysely } from "kysely";
import { availableParallelism, loadavg } from "node:os";
import { join } from "node:path";
import { loadKeyring } from "../ledger/keys/keyring.ts";
import { openLedger } from "../ledger/open-ledger.ts";
import { LedgerReader } from "../ledger/read/ledger-reader.ts";
import { openStore } from "../ledger/store/database.ts";
import { migrateToLatest } from "../ledger/store/migrate.ts";
import type { LedgerTables } from "../ledger/store/schema.ts";
import { PROJECTION_TABLE_NAMES } from "../ledger/projections/verify-projections.ts";
import { allMigrations } from "../server/index.ts";
import { fillWithProjections } from "./projection-fill.ts";
import { checkoutCommit, itemAt, printTable, tempDir, throwawayDatabase } from "./support.ts";

const REPO = join(import.meta.dirname, "..");
const SIZE = Number(process.env.BENCH_VERIFY_SIZE ?? 50_000);
const REPEATS = Number(process.env.BENCH_REPEATS ?? 3);
const BASE = process.env.BENCH_BASE ?? "HEAD~1";
const ORIGIN = "bench.maestro/ledger";

interface Run {
  /** Wall time, seconds. */
  seconds: number;
  /** CPU time of the process, all threads, user + system, seconds (NaN where the shell gave none). */
  cpu: number;
  /** Whether the verify compared the projection tables with its replay (its --json has a `projections` report). */
  replayed: boolean;
}

/** The last `times` line of a POSIX shell: its children's user and system time, e.g. "0m1.234s 0m0.210s". */
const TIMES_LINE = /^(\d+)m([\d.]+)s (\d+)m([\d.]+)s$/;

/** Runs `maestro ledger verify --json` from `repo` against the store; resolves with its wall and CPU time. */
function runVerify(repo: string, store: { dataDir: string; databaseUrl?: string }): Promise<Run> {
  // Through bin/maestro, the command an auditor runs, so each side starts Node with the flags its launcher gives.
  const args = [join(repo, "bin", "maestro"), "ledger", "verify", "--json", "--quiet", "--data-dir", store.dataDir];
  if (store.databaseUrl) args.push("--database-url", store.databaseUrl);
  const env: NodeJS.ProcessEnv = { ...process.env, MAESTRO_LOG_ORIGIN: ORIGIN };
  delete env.DATABASE_URL;
  delete env.MAESTRO_URL;
  // The shell runs verify, then `times` prints (to stderr) the CPU its child used, worker threads included.
  const script = '"$@"; code=$?; times >&2; exit $code';
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn("/bin/sh", ["-c", script, "sh", ...args], { cwd: repo, env });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    child.on("error", reject);
    child.on("close", (code) => {
      const seconds = (performance.now() - t0) / 1000;
      if (code !== 0) return reject(new Error(`verify from ${repo} exited ${code}: ${out.slice(0, 500)} ${err.slice(-500)}`));
      const m = err.trim().split("\n").at(-1)!.match(TIMES_LINE);
      const cpu = m ? Number(m[1]) * 60 + Number(m[2]) + Number(m[3]) * 60 + Number(m[4]) : Number.NaN;
      let replayed = false;
      try {
        replayed = (JSON.parse(out) as { projections?: { tables?: unknown[] } }).projections?.tables !== undefined;
      } catch {}
      resolve({ seconds, cpu, replayed });
    });
  });
}

/** The floor: every entry row read in the CLI's page size and every projection row, nothing checked. */
async function readRows(store: { dataDir: string; databaseUrl?: string }): Promise<Run> {
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const opened = await openStore<LedgerTables>({ ...store, poolSize: 4, mustExist: true });
  try {
    const reader = new LedgerReader(opened.db, opened.copyOut);
    for (let from = 0; from < SIZE; from += 1000) await reader.entriesWithColumns(from, 1000);
    for (const table of PROJECTION_TABLE_NAMES) await (opened.db as Kysely<any>).selectFrom(table).selectAll().execute();
  } finally {
    await opened.close();
  }
  const cpu = process.cpuUsage(cpu0);
  return { seconds: (performance.now() - t0) / 1000, cpu: (cpu.user + cpu.system) / 1e6, replayed: false };
}

function range(values: number[], digits = 0): string {
  const sorted = values.map((v) => Number(v.toFixed(digits))).sort((a, b) => a - b);
  const show = (v: number) => v.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
  const [low, high] = [itemAt(sorted, 0, "values"), itemAt(sorted, sorted.length - 1, "values")];
  return low === high ? show(low) : `${show(low)}–${show(high)}`;
}

async function main() {
  const kind = process.env.DATABASE_URL ? "postgres" : "embedded";
  const dir = tempDir("maestro-bench-verify-");
  const db = kind === "postgres" ? await throwawayDatabase() : null;
  const store = { dataDir: dir.dir, databaseUrl: db?.url };
  const base = checkoutCommit(REPO, BASE);
  try {
    const opened = await openStore<LedgerTables>({ ...store, poolSize: 4 });
    try {
      await migrateToLatest(opened.db, allMigrations);
      const ledger = await openLedger(opened.db, await loadKeyring(dir.dir), { origin: ORIGIN });
      await fillWithProjections(opened.db, SIZE, { kid: ledger.keyring.event.kid, privateKey: ledger.keyring.event.privateKey });
      await ledger.checkpointer.issue();
    } finally {
      await opened.close();
    }
    const times = { floor: [] as Run[], before: [] as Run[], after: [] as Run[] };
    const oneMinuteLoad = () => itemAt(loadavg(), 0, "loadavg()").toFixed(1);
    const loadBefore = oneMinuteLoad();
    // Interleaved, so a burst of load on the shared machine falls on every row alike.
    for (let r = 0; r < REPEATS; r++) {
      times.floor.push(await readRows(store));
      times.before.push(await runVerify(base.dir, store));
      times.after.push(await runVerify(REPO, store));
    }
    const head = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: REPO, encoding: "utf8" }).trim();
    const cores = availableParallelism();
    const row = (what: string, runs: Run[]) => ({
      row: what,
      store: kind,
      events: SIZE,
      "replays projections": runs.every((r) => r.replayed) ? "yes" : runs.some((r) => r.replayed) ? "some runs" : "no",
      [`events/s (${REPEATS} runs)`]: range(runs.map((r) => SIZE / r.seconds)),
      "best s": Math.min(...runs.map((r) => r.seconds)).toFixed(2),
      "cpu µs/event": range(runs.map((r) => (r.cpu * 1e6) / SIZE)),
      [`events/s on ${cores} idle cores (from cpu)`]: range(runs.map((r) => (SIZE * cores) / r.cpu)),
    });
    printTable(`ledger verify, ${SIZE} events, ${cores} cores, load average ${loadBefore} → ${oneMinuteLoad()}`, [
      row("floor: read every entry and projection row, no checks", times.floor),
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
