// Benchmark: full POST /v1/mediate over HTTP with durable signed appends, at 1, 32 and 256 concurrent clients.
// The server runs in its own process. Closed-loop rows use node:http keep-alive clients, as agents do; open-loop rows
// use the leaner raw-socket generator of open-loop.ts, beside a floor row (the same load against a no-op server).
import { Agent } from "node:http";
import { issueToken } from "../server/index.ts";
import { loadOrCreateKey, keyPath } from "../ledger/keys/key-files.ts";
import { join } from "node:path";
import {
  cpuSeconds,
  printTable,
  spawnServer,
  summarize,
  tempDir,
  throwawayDatabase,
  withTrivialServer,
  MEDIATE_BODY,
  postJson,
} from "./support.ts";
import { offerLoad, openConnections, postRequest } from "./open-loop.ts";
import { startBenchReceiver, subscribeAll } from "./webhook-receiver.ts";

const DURATION_MS = Number(process.env.BENCH_SECONDS ?? 4) * 1000;
/** Webhook subscriptions per store run ("0,5": each store without, then with five, side by side). */
const WEBHOOKS = (process.env.BENCH_WEBHOOKS ?? "0,5").split(",").filter(Boolean).map(Number);
const CONCURRENCY = (process.env.BENCH_CONCURRENCY ?? "1,32,256").split(",").filter(Boolean).map(Number);

async function runLoad(url: string, agentToken: string, concurrency: number) {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const target = new URL(`${url}/v1/mediate`);
  const body = MEDIATE_BODY;
  const latencies: number[] = [];
  let errors = 0;
  let allows = 0;
  const end = performance.now() + DURATION_MS;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        const t0 = performance.now();
        const { status, text } = await postJson(agent, target, agentToken, body);
        latencies.push(performance.now() - t0);
        if (status !== 200) errors++;
        else if ((JSON.parse(text) as { allow?: boolean }).allow) allows++;
      }
    }),
  );
  agent.destroy();
  const s = summarize(latencies);
  return {
    concurrency,
    requests: latencies.length,
    perSecond: Math.round(latencies.length / (DURATION_MS / 1000)),
    p50ms: s.p50,
    p99ms: s.p99,
    errors,
    allows,
  };
}

/**
 * Open loop: `rate` requests/s offered across `connections` keep-alive sockets, whatever the answers' speed. Latency
 * counts from each request's scheduled time (no coordinated omission). This is the reading under which "p99 ≤ 10 ms
 * with 256 clients at 3,000/s" can hold at all: a closed loop of 256 has mean latency 256 / throughput (Little's law).
 */
async function runOpenLoop(url: string, headers: Record<string, string>, connections: number, rate: number) {
  const target = new URL(`${url}/v1/mediate`);
  const request = postRequest(target, { ...headers, "Content-Type": "application/json" }, MEDIATE_BODY);
  const pool = await openConnections(target, connections);
  try {
    // Steady state: the same rate for a while first, unrecorded. Otherwise the first ~100 ms (cold code, the first
    // batches) set the p99 of a 4 s row alone: 60–150 ms against ~4 ms afterwards.
    await offerLoad(pool.connections, request, rate, OPEN_LOOP_WARMUP_MS);
    const { latencies, lags, errors, allows, generatorCpuUs } = await offerLoad(pool.connections, request, rate, DURATION_MS);
    const s = summarize(latencies);
    const lag = summarize(lags);
    return {
      concurrency: `${connections} open ${rate}/s (send lag p99 ${lag.p99.toFixed(1)} ms, generator ${generatorCpuUs.toFixed(0)} µs CPU/req)`,
      requests: latencies.length,
      perSecond: Math.round(latencies.length / (DURATION_MS / 1000)),
      p50ms: s.p50,
      p99ms: s.p99,
      errors,
      allows,
    };
  } finally {
    pool.close();
  }
}

const OPEN_LOOP_WARMUP_MS = 1000;
const OPEN_RATES = (process.env.BENCH_OPEN_RATES ?? "1000,3000").split(",").filter(Boolean).map(Number);

/**
 * The floor: the same clients against a server that does nothing. Its closed-loop row at 256 shows what the machine
 * itself allows there (Little's law: p99 ≥ mean = 256 / throughput); its open-loop rows, what the generator adds.
 */
async function floorRows() {
  return withTrivialServer(async (url) => {
    const floor = { store: "floor: no-op node:http" };
    const rows: Array<Record<string, string | number>> = [{ ...floor, ...(await runLoad(url, "unused", 256)), "server cpu µs/req": "" }];
    for (const rate of OPEN_RATES) rows.push({ ...floor, ...(await runOpenLoop(url, {}, 256, rate)), "server cpu µs/req": "" });
    return rows;
  });
}

async function benchStore(label: string, serveArgs: string[], dataDir: string, webhooks = 0) {
  const server = await spawnServer(serveArgs, { MAESTRO_WEBHOOK_ALLOW_HOSTS: "127.0.0.1" });
  const receiver = await startBenchReceiver();
  if (webhooks > 0) label = `${label}, ${webhooks} webhooks`;
  try {
    const tokenKey = await loadOrCreateKey("token", keyPath(join(dataDir, "keys"), "token"));
    const key = { kid: tokenKey.kid, privateKey: tokenKey.privateKey };
    const security = await issueToken(key, "security", "bench-sec", 3600);
    const agent = await issueToken(key, "agent", "bench-agent", 3600);
    const reg = await fetch(`${server.url}/v1/runsets`, {
      method: "POST",
      headers: { authorization: `Bearer ${security}`, "content-type": "application/json" },
      body: JSON.stringify({ name: "bench", grants: [{ agent: "bench-agent", capability: "repo.read", resource: "src/**" }] }),
    });
    if (reg.status !== 201) throw new Error(`runset registration failed: ${reg.status} ${await reg.text()}`);
    if (webhooks > 0) {
      // Every kind, so the dispatcher follows every commit (release.blocked reads decisions) while the load runs.
      // Imported only here, so BENCH_WEBHOOKS=0 also runs against a commit that predates webhooks (side-by-side.ts).
      const { WEBHOOK_KINDS } = await import("../server/index.ts");
      await subscribeAll(server.url, security, receiver.url, webhooks, [...WEBHOOK_KINDS]);
    }
    const rows = [];
    // The server's CPU per answered request beside each row: on a shared machine it moves far less than requests/s, so
    // two versions side by side compare by it (embedded: the store is in the process; PostgreSQL's own is not counted).
    const withCpu = async (row: () => Promise<{ requests: number }>) => {
      const before = cpuSeconds(server.child.pid);
      const result = await row();
      const after = cpuSeconds(server.child.pid);
      const cpuUs = before === undefined || after === undefined ? "" : Math.round((1e6 * (after - before)) / result.requests);
      return { store: label, ...result, "server cpu µs/req": cpuUs };
    };
    for (const c of CONCURRENCY) rows.push(await withCpu(() => runLoad(server.url, agent, c)));
    for (const rate of OPEN_RATES) rows.push(await withCpu(() => runOpenLoop(server.url, { Authorization: `Bearer ${agent}` }, 256, rate)));
    return rows;
  } finally {
    await server.stop();
    await receiver.close();
  }
}

/** Each store's rows once per subscription count, fresh store each time, so the rows differ only in the webhooks. */
async function benchStoreWithWebhooks(label: string, fresh: () => Promise<{ args: string[]; dataDir: string; drop(): Promise<void> }>) {
  const rows = [];
  for (const webhooks of WEBHOOKS) {
    const store = await fresh();
    try {
      rows.push(...(await benchStore(label, store.args, store.dataDir, webhooks)));
    } finally {
      await store.drop();
    }
  }
  return rows;
}

const rows: Array<Record<string, string | number>> = [];
if (!process.env.BENCH_SKIP_FLOOR) rows.push(...(await floorRows()));
const pgDb = process.env.BENCH_SKIP_PG ? null : await throwawayDatabase();
if (pgDb) {
  const keys = tempDir("maestro-bench-");
  try {
    rows.push(
      ...(await benchStoreWithWebhooks("postgres", async () => {
        const db = (await throwawayDatabase())!;
        return { args: ["--database-url", db.url, "--data-dir", keys.dir], dataDir: keys.dir, drop: () => db.drop() };
      })),
    );
    // The same, served by two processes on one port (maestro serve --workers 2).
    const workersDb = process.env.BENCH_SKIP_WORKERS ? null : await throwawayDatabase();
    if (workersDb) {
      try {
        rows.push(
          ...(await benchStore(
            "postgres ×2 workers",
            ["--database-url", workersDb.url, "--data-dir", keys.dir, "--workers", "2"],
            keys.dir,
          )),
        );
      } finally {
        await workersDb.drop();
      }
    }
  } finally {
    await pgDb.drop();
    keys.remove();
  }
}
if (!process.env.BENCH_SKIP_EMBEDDED)
  rows.push(
    ...(await benchStoreWithWebhooks("embedded", async () => {
      const embedded = tempDir("maestro-bench-");
      return { args: ["--data-dir", embedded.dir], dataDir: embedded.dir, drop: async () => embedded.remove() };
    })),
  );
printTable(`mediate over HTTP, durable appends (${DURATION_MS / 1000}s per row; targets: p50 ≤ 2 ms, p99 ≤ 10 ms at 256, ≥ 3,000/s)`, rows);
