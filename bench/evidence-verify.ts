// Benchmark: offline verification (`maestro evidence verify`) of a published release whose evidence holds 10,000 ledger events.
// Target: < 1 s on this machine. Builds the release (with a CycloneDX SBOM from this project's package-lock.json) on an
// embedded store, exports it, then times verifyEvidenceFile in-process (first run, then warm) and the CLI end to end.
// The in-process first run is not cold: seeding, publishing and exporting warmed the code they share with it. A cold
// verification is the CLI row (a new process: Node's start, module loading, reading the file, JIT warm-up).
import { configFromEnv, createApp, composeServer, issueToken } from "../server/index.ts";
import { verifyEvidenceFile } from "../evidence/index.ts";
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { RELEASE_ID, seedPublishedRelease } from "./release-seed.ts";
import { itemAt, printTable, tempDir } from "./support.ts";

const EVENTS = Number(process.env.BENCH_EVENTS ?? 10_000);
const RUNS = 5;

async function main(): Promise<void> {
  const tmp = tempDir("maestro-bench-evidence-");
  const ctx = await composeServer(configFromEnv({ dataDir: tmp.dir, databaseUrl: undefined }));
  try {
    const app = createApp(ctx);
    const key = ctx.ledger.keyring.token;
    const security = await issueToken({ kid: key.kid, privateKey: key.privateKey }, "security", "sec-1", 3600);
    const { seeded, published } = await seedPublishedRelease(ctx, app, security, EVENTS);
    const { releases } = ctx;
    const t2 = performance.now();
    const text = await releases.exportEvidence(RELEASE_ID);
    const exported = performance.now() - t2;
    const jwks = JSON.stringify({ keys: await ctx.eventJwks() });

    const times: number[] = [];
    let events = 0;
    for (let i = 0; i < RUNS; i++) {
      const t = performance.now();
      const result = await verifyEvidenceFile(text, jwks);
      times.push(performance.now() - t);
      if (!result.ok) throw new Error(`verification failed: ${result.failedParts.join(", ")}`);
      events = result.stats.events;
    }
    // What an auditor runs: a fresh process that loads the code, reads the file and verifies it.
    const file = join(tmp.dir, "evidence.json");
    const keyFile = join(tmp.dir, "jwks.json");
    writeFileSync(file, text);
    writeFileSync(keyFile, jwks);
    // The first run may fill Node's compile cache (cli/main.ts enables it); the median is of the three after it.
    const cli: number[] = [];
    for (let i = 0; i < 4; i++) {
      const t = performance.now();
      const run = spawnSync(process.execPath, ["cli/main.ts", "evidence", "verify", file, "--key", keyFile, "--json"], {
        encoding: "utf8",
      });
      cli.push(performance.now() - t);
      if (run.status !== 0) throw new Error(`maestro evidence verify exited ${run.status}: ${run.stderr || run.stdout.slice(0, 400)}`);
    }
    const firstCli = itemAt(cli, 0, "CLI runs");
    const warmCli = cli.slice(1).sort((a, b) => a - b);
    const warmCliMedian = itemAt(warmCli, 1, "warm CLI runs");
    const sorted = [...times].sort((a, b) => a - b);
    const median = itemAt(sorted, Math.floor(RUNS / 2), "verify times");
    const row = (step: string, n: number, ms: number) => ({ step, events: n, ms: Math.round(ms) });
    printTable(`evidence verify (${EVENTS} seeded events, embedded store)`, [
      row("seed ledger (decisions + outcomes)", EVENTS, seeded),
      row("publish (mediate, gather, GSN, sign)", events, published),
      row("export (proofs against one checkpoint)", events, exported),
      row("verify, first run in this process", events, itemAt(times, 0, "verify times")),
      row(`verify, median of ${RUNS}`, events, median),
      row(`verify, best of ${RUNS}`, events, itemAt(sorted, 0, "verify times")),
      row("maestro evidence verify (new process), first run", events, firstCli),
      row("maestro evidence verify (new process), median of the next 3", events, warmCliMedian),
    ]);
    if (process.env.BENCH_SAVE) writeFileSync(process.env.BENCH_SAVE, JSON.stringify({ text, jwks }));
    const verdict = (ms: number) => (ms < 1000 ? "met" : "NOT met");
    console.log(
      `export file: ${(Buffer.byteLength(text) / 1e6).toFixed(1)} MB; target verify < 1000 ms: in-process median ${Math.round(median)} ms ${verdict(median)}; ` +
        `new process ${Math.round(warmCliMedian)} ms ${verdict(warmCliMedian)} (first ${Math.round(firstCli)} ms)`,
    );
  } finally {
    await ctx.close();
    tmp.remove();
  }
}

await main();
