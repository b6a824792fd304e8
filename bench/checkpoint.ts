// Bench: what one checkpoint costs (Checkpointer.issue, forced) on a large ledger, the head 1,000 entries past the
// newest signed checkpoint, so the fork check's consistency proof is in play. Prints p50/p99 per store.
import { sql } from "kysely";
import { Checkpointer } from "../ledger/append/checkpointer.ts";
import { formatCheckpoint, signNote } from "../ledger/core/index.ts";
import { loadKeyring } from "../ledger/keys/keyring.ts";
import { LedgerReader } from "../ledger/read/ledger-reader.ts";
import { openStore } from "../ledger/store/database.ts";
import { migrateToLatest } from "../ledger/store/migrate.ts";
import { ledgerMigrations } from "../ledger/store/migrations.ts";
import type { LedgerTables } from "../ledger/store/schema.ts";
import { fastFill } from "./ledger-fill.ts";
import { summarize, tempDir, throwawayDatabase } from "./support.ts";

const SIZE = Number(process.env.BENCH_CHECKPOINT_SIZE ?? 200_000);
const ROUNDS = Number(process.env.BENCH_CHECKPOINT_ROUNDS ?? 300);
const ORIGIN = "maestro.bench/ledger";

async function run(kind: "embedded" | "postgres"): Promise<void> {
  const dir = tempDir("maestro-bench-cp-");
  const pgdb = kind === "postgres" ? await throwawayDatabase() : null;
  if (kind === "postgres" && !pgdb) return;
  const store = await openStore<LedgerTables>({ dataDir: dir.dir, databaseUrl: pgdb?.url, poolSize: 4 });
  try {
    await migrateToLatest(store.db, ledgerMigrations);
    const keyring = await loadKeyring(dir.dir);
    await fastFill(store.db, SIZE, null);
    // The newest signed checkpoint 1,000 entries behind the head.
    const signed = SIZE - 1000;
    const rootHash = await new LedgerReader(store.db).rootAt(signed);
    const note = signNote(formatCheckpoint({ origin: ORIGIN, size: signed, rootHash }), {
      name: ORIGIN,
      privateKey: keyring.checkpoint.privateKey,
    });
    await store.db.insertInto("ledger_checkpoints").values({ size: signed, root: rootHash, note }).execute();
    const checkpointer = new Checkpointer(store.db, ORIGIN, keyring.checkpoint);
    const times: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const t0 = performance.now();
      await checkpointer.issue({ force: true });
      times.push(performance.now() - t0);
      await sql`delete from ledger_checkpoints where size = ${SIZE}`.execute(store.db); // keep the proof 1,000 long
    }
    const s = summarize(times.slice(Math.floor(ROUNDS / 10))); // first tenth is warm-up
    console.log(
      `${kind}: checkpoint at ${SIZE} (signed ${signed}): p50 ${s.p50.toFixed(2)} ms, p99 ${s.p99.toFixed(2)} ms over ${ROUNDS} rounds`,
    );
  } finally {
    await store.close();
    await pgdb?.drop();
    dir.remove();
  }
}

await run("embedded");
await run("postgres");
