// Benchmark: decisions/s while ledger stream readers come and go, each row beside the same run with no readers.
// Issue 14 saw 40 replays of a 20k-entry log, dropped after 300 ms, take decisions from ~2,000/s to 0, and 200 live
// readers halve them; the target is ≥ 70 % of the no-reader run for both. The server runs in its own process on a
// throwaway PostgreSQL database filled with 20,000 entries; a floor row runs the same clients against a no-op server.
import { Agent, request } from "node:http";
import { join } from "node:path";
import { openStore } from "../ledger/store/database.ts";
import { migrateToLatest } from "../ledger/store/migrate.ts";
import { keyPath, loadOrCreateKey } from "../ledger/keys/key-files.ts";
import { allMigrations, issueToken } from "../server/index.ts";
import { fastFill } from "./ledger-fill.ts";
import { cpuSeconds, printTable, spawnServer, summarize, tempDir, throwawayDatabase, withTrivialServer, MEDIATE_BODY } from "./support.ts";

const DURATION_MS = Number(process.env.BENCH_SECONDS ?? 4) * 1000;
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 32);
const LOG_SIZE = Number(process.env.BENCH_LOG_SIZE ?? 20_000);
const ABORTED = 40;
const LIVE = 200;

function post(agent: Agent, url: URL, token: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: "POST",
        agent,
        headers: {
          authorization: `Bearer ${token}`,
          "content-type": "application/json",
          "content-length": Buffer.byteLength(MEDIATE_BODY),
        },
      },
      (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
      },
    );
    req.on("error", reject);
    req.end(MEDIATE_BODY);
  });
}

/** A closed loop of CLIENTS keep-alive clients for DURATION_MS; `during` runs alongside (readers). */
async function decisions(url: string, token: string, during: (end: number) => Promise<unknown> = async () => {}) {
  const agent = new Agent({ keepAlive: true, maxSockets: CLIENTS });
  const target = new URL(`${url}/v1/mediate`);
  const latencies: number[] = [];
  let errors = 0;
  const end = performance.now() + DURATION_MS;
  await Promise.all([
    during(end),
    ...Array.from({ length: CLIENTS }, async () => {
      while (performance.now() < end) {
        const t0 = performance.now();
        if ((await post(agent, target, token)) !== 200) errors++;
        latencies.push(performance.now() - t0);
      }
    }),
  ]);
  agent.destroy();
  const s = summarize(latencies);
  return { perSecond: Math.round(latencies.length / (DURATION_MS / 1000)), p50ms: s.p50, p99ms: s.p99, errors };
}

/** Runs `row` and adds the server's CPU milliseconds per decision over it. */
async function withServerCpu<T extends { perSecond: number }>(pid: number | undefined, row: () => Promise<T>) {
  const before = cpuSeconds(pid);
  const result = await row();
  const after = cpuSeconds(pid);
  const decided = (result.perSecond * DURATION_MS) / 1000;
  const cpuMsPerDecision = before === undefined || after === undefined ? "" : ((1000 * (after - before)) / decided).toFixed(2);
  return { ...result, cpuMsPerDecision };
}

/** Opens a stream and reads it; resolves with the bytes read once `stopAt` (performance.now()) passes. */
function reader(url: string, token: string, query: string, stopAt: number): Promise<number> {
  return new Promise((resolve) => {
    let bytes = 0;
    const req = request(`${url}/v1/ledger/stream${query}`, { headers: { authorization: `Bearer ${token}` } }, (res) => {
      res.on("data", (chunk: Buffer) => (bytes += chunk.length));
      res.on("error", () => {});
    });
    req.on("error", () => {});
    req.end();
    setTimeout(
      () => {
        req.destroy();
        resolve(bytes);
      },
      Math.max(0, stopAt - performance.now()),
    );
  });
}

/** Each second, ABORTED replays from index 0 that the client drops after 300 ms (issue 14's reproduction). */
const abortedReplays = (url: string, token: string) => async (end: number) => {
  let opened = 0;
  while (performance.now() < end - 300) {
    const wave = performance.now();
    await Promise.all(Array.from({ length: ABORTED }, () => reader(url, token, "?from=0", wave + 300)));
    opened += ABORTED;
    await new Promise((r) => setTimeout(r, Math.max(0, wave + 1000 - performance.now())));
  }
  return opened;
};

async function floorRow() {
  return withTrivialServer(async (url) => ({
    run: "floor: no-op node:http",
    readers: "none",
    ...(await decisions(url, "unused")),
    cpuMsPerDecision: "",
    ofNone: "",
  }));
}

const db = await throwawayDatabase();
if (!db) process.exit(0);
const keys = tempDir("maestro-bench-");
const rows: Array<Record<string, string | number>> = [];
try {
  const store = await openStore({ databaseUrl: db.url, poolSize: 4 });
  await migrateToLatest(store.db, allMigrations);
  await fastFill(store.db as never, LOG_SIZE, null);
  await store.close();
  if (!process.env.BENCH_SKIP_FLOOR) rows.push(await floorRow());
  const server = await spawnServer(["--database-url", db.url, "--data-dir", keys.dir]);
  try {
    const tokenKey = await loadOrCreateKey("token", keyPath(join(keys.dir, "keys"), "token"));
    const key = { kid: tokenKey.kid, privateKey: tokenKey.privateKey };
    const agent = await issueToken(key, "agent", "bench-agent", 3600);
    const auditor = await issueToken(key, "auditor", "bench-auditor", 3600);
    const reg = await fetch(`${server.url}/v1/runsets`, {
      method: "POST",
      headers: { authorization: `Bearer ${await issueToken(key, "security", "bench-sec", 3600)}`, "content-type": "application/json" },
      body: JSON.stringify({ name: "bench", grants: [{ agent: "bench-agent", capability: "repo.read", resource: "src/**" }] }),
    });
    if (reg.status !== 201) throw new Error(`runset registration failed: ${reg.status} ${await reg.text()}`);
    await decisions(server.url, agent); // warm-up, unrecorded

    const pid = server.child.pid;
    const none1 = await withServerCpu(pid, () => decisions(server.url, agent));
    rows.push({ run: "postgres", readers: "none", ...none1, ofNone: "" });
    let opened = 0;
    const aborted = await withServerCpu(pid, () =>
      decisions(server.url, agent, async (end) => (opened = await abortedReplays(server.url, auditor)(end))),
    );
    rows.push({
      run: "postgres",
      readers: `${opened} replays of ${LOG_SIZE} from 0, dropped after 300 ms (${ABORTED}/s)`,
      ...aborted,
      ofNone: `${Math.round((100 * aborted.perSecond) / none1.perSecond)} %`,
    });

    const none2 = await withServerCpu(pid, () => decisions(server.url, agent));
    rows.push({ run: "postgres", readers: "none", ...none2, ofNone: "" });
    let bytes = 0;
    const live = await withServerCpu(pid, () =>
      decisions(server.url, agent, async (end) => {
        const read = await Promise.all(Array.from({ length: LIVE }, () => reader(server.url, auditor, "", end)));
        bytes = read.reduce((a, b) => a + b, 0);
      }),
    );
    rows.push({
      run: "postgres",
      readers: `${LIVE} live (${Math.round(bytes / LIVE / 1024)} KiB read each)`,
      ...live,
      ofNone: `${Math.round((100 * live.perSecond) / none2.perSecond)} %`,
    });
  } finally {
    await server.stop();
  }
} finally {
  await db.drop();
  keys.remove();
}
printTable(
  `decisions/s at ${CLIENTS} closed-loop clients beside ledger stream readers (${DURATION_MS / 1000}s per row; target ≥ 70 % of none; cpuMsPerDecision: the server's CPU over the row per decision)`,
  rows,
);
