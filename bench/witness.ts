// Benchmark: witness cosigning with one local litewitness — the time to have a checkpoint cosigned (p50/p99), and
// POST /v1/mediate throughput with a witness configured next to none (alternating runs, so drift shows as noise).
// Needs .tools/bin/litewitness (sh scripts/bootstrap-witness.sh), ssh-agent and ssh-keygen.
import { Agent, request } from "node:http";
import { join } from "node:path";
import { writeFileSync } from "node:fs";
import { formatVkey } from "../ledger/core/index.ts";
import { loadKeyring } from "../ledger/keys/keyring.ts";
import { configFromEnv, composeServer, issueToken } from "../server/index.ts";
import { startLitewitness } from "../tests/support/litewitness.ts";
import { printTable, spawnServer, summarize, tempDir, throwawayDatabase, MEDIATE_BODY } from "./support.ts";

const COSIGNS = Number(process.env.BENCH_COSIGNS ?? 200);
const DURATION_MS = Number(process.env.BENCH_SECONDS ?? 4) * 1000;
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
/** Checkpoint cadences of the load rows: the default (5 s), and 200 ms (25× as many witness requests) as a worst case. */
const INTERVALS_MS = (process.env.BENCH_CHECKPOINT_MS ?? "5000,200").split(",").filter(Boolean).map(Number);
const ORIGIN = configFromEnv().origin;

/** Sign a checkpoint, then have the witness cosign it (add-checkpoint with a consistency proof, verify, store). */
async function cosignLatency(): Promise<Array<Record<string, string | number>>> {
  const dir = tempDir("maestro-bench-witness-");
  const logVkey = formatVkey(ORIGIN, (await loadKeyring(dir.dir)).checkpoint.publicRaw);
  const witness = await startLitewitness({ name: "bench.test/witness", origin: ORIGIN, logVkey });
  const file = join(dir.dir, "witnesses.txt");
  writeFileSync(file, `${witness.vkey} ${witness.url}\n`);
  const ctx = await composeServer(configFromEnv({ dataDir: dir.dir, databaseUrl: undefined, witnessesFile: file }));
  try {
    const sign: number[] = [];
    const cosign: number[] = [];
    for (let i = 0; i < COSIGNS; i++) {
      await ctx.ledger.writer.append({
        // A kind no projection folds: the bench measures checkpoint signing and cosigning, not decisions.
        kind: "bench.entry",
        actor: { type: "agent", id: "bench" },
        subject: { type: "bench", id: `e-${i}` },
        payload: { i },
      });
      const t0 = performance.now();
      await ctx.ledger.checkpointer.issue();
      const t1 = performance.now();
      await ctx.ledger.checkpointer.issueAndCosign(); // the checkpoint just signed: only the witness round trip is new
      cosign.push(performance.now() - t1);
      sign.push(t1 - t0);
    }
    const witnessed = await ctx.ledger.witnesses.newestWitnessed();
    if (witnessed?.size !== (await ctx.ledger.reader.head()).size) throw new Error("the last checkpoint was not witnessed");
    const row = (what: string, xs: number[]) => ({
      step: what,
      n: xs.length,
      ...Object.fromEntries(Object.entries(summarize(xs)).map(([k, v]) => [`${k}ms`, v])),
    });
    return [row("sign + store checkpoint (embedded store)", sign), row("cosign: add-checkpoint → verify → store", cosign)];
  } finally {
    await ctx.close();
    await witness.close();
    dir.remove();
  }
}

function post(agent: Agent, url: URL, token: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: "POST", agent, headers: { authorization: `Bearer ${token}`, "content-type": "application/json" } },
      (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
      },
    );
    req.on("error", reject);
    req.end(MEDIATE_BODY);
  });
}

/** Closed loop of CONCURRENCY keep-alive clients for DURATION_MS against a fresh server. */
async function throughput(label: string, withWitness: boolean, intervalMs: number): Promise<Record<string, string | number>> {
  const dir = tempDir("maestro-bench-witness-");
  const db = await throwawayDatabase();
  const keyring = await loadKeyring(dir.dir);
  const witness = withWitness
    ? await startLitewitness({ name: "bench.test/witness", origin: ORIGIN, logVkey: formatVkey(ORIGIN, keyring.checkpoint.publicRaw) })
    : null;
  const args = ["--data-dir", dir.dir, "--checkpoint-interval", String(intervalMs), ...(db ? ["--database-url", db.url] : [])];
  if (witness) {
    writeFileSync(join(dir.dir, "witnesses.txt"), `${witness.vkey} ${witness.url}\n`);
    args.push("--witnesses", join(dir.dir, "witnesses.txt"));
  }
  const server = await spawnServer(args);
  try {
    const key = { kid: keyring.token.kid, privateKey: keyring.token.privateKey };
    const reg = await fetch(`${server.url}/v1/runsets`, {
      method: "POST",
      headers: { authorization: `Bearer ${await issueToken(key, "security", "bench-sec", 3600)}`, "content-type": "application/json" },
      body: JSON.stringify({ name: "bench", grants: [{ agent: "bench-agent", capability: "repo.read", resource: "src/**" }] }),
    });
    if (reg.status !== 201) throw new Error(`runset registration failed: ${reg.status}`);
    const token = await issueToken(key, "agent", "bench-agent", 3600);
    const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
    const target = new URL(`${server.url}/v1/mediate`);
    const latencies: number[] = [];
    let errors = 0;
    const end = performance.now() + DURATION_MS;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (performance.now() < end) {
          const t0 = performance.now();
          if ((await post(agent, target, token)) !== 200) errors++;
          latencies.push(performance.now() - t0);
        }
      }),
    );
    agent.destroy();
    const auditor = await issueToken(key, "auditor", "bench-aud", 3600);
    const w = (await (await fetch(`${server.url}/v1/ledger/witnessed`, { headers: { authorization: `Bearer ${auditor}` } })).json()) as {
      checkpoint: { size: number } | null;
    };
    const s = summarize(latencies);
    return {
      config: label,
      checkpointMs: intervalMs,
      store: db ? "postgres" : "embedded",
      perSecond: Math.round(latencies.length / (DURATION_MS / 1000)),
      p50ms: s.p50,
      p99ms: s.p99,
      errors,
      witnessedSize: w.checkpoint?.size ?? "-",
    };
  } finally {
    await server.stop();
    await witness?.close();
    await db?.drop();
    dir.remove();
  }
}

printTable(`cosign latency, one local litewitness (${COSIGNS} checkpoints, one event apart)`, await cosignLatency());
const rows = [];
for (const interval of INTERVALS_MS) {
  for (let r = 0; r < ROUNDS; r++) {
    rows.push(await throughput("no witness", false, interval));
    rows.push(await throughput("1 witness, quorum 1", true, interval));
  }
}
printTable(`mediate throughput, ${CONCURRENCY} closed-loop clients, ${DURATION_MS / 1000}s per row (alternating rows)`, rows);
