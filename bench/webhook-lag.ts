// Benchmark: webhook delivery lag (ledger event time → arrival at a loopback receiver) at 100 events/s to one
// receiver, per store. Events are auditor holds, offered open-loop at a fixed rate; every one must arrive once.
import { Agent, request } from "node:http";
import { join } from "node:path";
import { keyPath, loadOrCreateKey } from "../ledger/keys/key-files.ts";
import { issueToken } from "../server/index.ts";
import { printTable, spawnServer, summarize, tempDir, throwawayDatabase } from "./support.ts";
import { startBenchReceiver, subscribeAll } from "./webhook-receiver.ts";

const RATE = Number(process.env.BENCH_RATE ?? 100);
const DURATION_MS = Number(process.env.BENCH_SECONDS ?? 10) * 1000;

async function lagRow(label: string, serveArgs: string[], dataDir: string) {
  const server = await spawnServer(serveArgs, { MAESTRO_WEBHOOK_ALLOW_HOSTS: "127.0.0.1" });
  const receiver = await startBenchReceiver();
  try {
    const tokenKey = await loadOrCreateKey("token", keyPath(join(dataDir, "keys"), "token"));
    const key = { kid: tokenKey.kid, privateKey: tokenKey.privateKey };
    await subscribeAll(server.url, await issueToken(key, "admin", "bench-admin", 3600), receiver.url, 1, ["hold.placed"]);
    const auditor = await issueToken(key, "auditor", "bench-auditor", 3600);
    // A bounded keep-alive pool, as a real producer has: requests beyond it queue in the client, still counted.
    const agent = new Agent({ keepAlive: true, maxSockets: 32 });
    const total = Math.round((RATE * DURATION_MS) / 1000);
    const start = performance.now();
    const sends: Array<Promise<void>> = [];
    let errors = 0;
    for (let i = 0; i < total; i++) {
      // Open loop: each event at its scheduled time, whatever the previous answers took.
      const due = start + (i * 1000) / RATE;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const body = JSON.stringify({ scope: { type: "repository", id: `bench/r${i}` }, reason: `bench hold ${i}` });
      sends.push(
        new Promise<void>((resolve) => {
          const req = request(
            `${server.url}/v1/holds`,
            { method: "POST", agent, headers: { authorization: `Bearer ${auditor}`, "content-type": "application/json" } },
            (res) => {
              res.resume();
              res.on("end", () => {
                if (res.statusCode !== 201) errors++;
                resolve();
              });
            },
          );
          req.on("error", () => (errors++, resolve()));
          req.end(body);
        }),
      );
    }
    await Promise.all(sends);
    agent.destroy();
    const until = Date.now() + 30_000;
    while (receiver.arrivals.length < total - errors && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    const lags = receiver.arrivals.map((a) => a.at - a.eventTime);
    const s = summarize(lags);
    return {
      store: label,
      offered: `${RATE}/s for ${DURATION_MS / 1000}s`,
      events: total,
      errors,
      delivered: receiver.arrivals.length,
      lagP50ms: s.p50,
      lagP99ms: s.p99,
      lagMaxMs: s.max,
    };
  } finally {
    await server.stop();
    await receiver.close();
  }
}

const rows: Array<Record<string, string | number>> = [];
const pg = process.env.BENCH_SKIP_PG ? null : await throwawayDatabase();
if (pg) {
  const keys = tempDir("maestro-bench-");
  try {
    rows.push(await lagRow("postgres", ["--database-url", pg.url, "--data-dir", keys.dir], keys.dir));
  } finally {
    await pg.drop();
    keys.remove();
  }
}
if (!process.env.BENCH_SKIP_EMBEDDED) {
  const embedded = tempDir("maestro-bench-");
  try {
    rows.push(await lagRow("embedded", ["--data-dir", embedded.dir], embedded.dir));
  } finally {
    embedded.remove();
  }
}
printTable(`webhook delivery lag, event time → receiver (one subscription, ${RATE} events/s)`, rows);
