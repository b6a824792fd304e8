// Benchmark: added latency of `maestro mcp-proxy` per tools/call (p50/p99) against calling the same MCP server directly.
// Upstream: the real @modelcontextprotocol/server-filesystem over stdio; mediator: `maestro serve` in its own process,
// durable ledger appends on PostgreSQL (embedded PGlite when PostgreSQL is not reachable). One run, sequential calls.
// Usage: node bench/mcp-proxy.ts [calls=500]
import { mkdirSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import { HttpMediatorClient } from "../agents/mediator-client/http-mediator-client.ts";
import { createMcpProxy } from "../agents/mcp/mcp-proxy.ts";
import { parseToolMap } from "../agents/mcp/tool-map.ts";
import { connectUpstream } from "../agents/mcp/upstream.ts";
import { keyPath, loadOrCreateKey } from "../ledger/keys/key-files.ts";
import { issueToken } from "../server/index.ts";
import { printTable, spawnServer, summarize, tempDir, throwawayDatabase } from "./support.ts";

const CALLS = Number(process.argv[2] ?? 500);
const WARMUP = 50;
const fsServer = join(
  dirname(createRequire(import.meta.url).resolve("@modelcontextprotocol/server-filesystem/package.json")),
  "dist/index.js",
);

async function time(client: Client, path: string): Promise<number[]> {
  const call = () => client.callTool({ name: "read_text_file", arguments: { path } });
  for (let i = 0; i < WARMUP; i++) await call();
  const latencies: number[] = [];
  for (let i = 0; i < CALLS; i++) {
    const t0 = performance.now();
    const result = await call();
    latencies.push(performance.now() - t0);
    if (result.isError) throw new Error(`call failed: ${JSON.stringify(result.content)}`);
  }
  return latencies;
}

const root = tempDir("maestro-bench-mcp-");
mkdirSync(join(root.dir, "src"));
writeFileSync(join(root.dir, "src/a.txt"), "x".repeat(2048));
const keys = tempDir("maestro-bench-keys-");
const pgDb = await throwawayDatabase();
const store = pgDb ? "postgres" : "embedded";
const server = await spawnServer(pgDb ? ["--database-url", pgDb.url, "--data-dir", keys.dir] : ["--data-dir", keys.dir]);
const upstream = await connectUpstream({ command: process.execPath, args: [fsServer, root.dir] });
try {
  const tokenKey = await loadOrCreateKey("token", keyPath(join(keys.dir, "keys"), "token"));
  const key = { kid: tokenKey.kid, privateKey: tokenKey.privateKey };
  const reg = await fetch(`${server.url}/v1/runsets`, {
    method: "POST",
    headers: { authorization: `Bearer ${await issueToken(key, "security", "bench-sec", 3600)}`, "content-type": "application/json" },
    body: JSON.stringify({ name: "bench-mcp", grants: [{ agent: "bench-mcp", capability: "repo.read", resource: "**" }] }),
  });
  if (reg.status !== 201) throw new Error(`runset registration failed: ${reg.status} ${await reg.text()}`);

  const mediator = new HttpMediatorClient({ url: server.url, token: await issueToken(key, "agent", "bench-mcp", 3600) });
  const proxy = createMcpProxy({
    upstream,
    mediator,
    map: parseToolMap(
      `runset: bench-mcp\nroot: ${root.dir}\ntools:\n  read_text_file: { capability: repo.read, resource: "{path|relative}" }\n`,
      "bench",
      root.dir,
    ),
    agent: "bench-mcp",
    runset: "bench-mcp",
    session: "bench-mcp-1",
  });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await proxy.connect(serverSide);
  const proxied = new Client({ name: "bench-proxied", version: "1" });
  await proxied.connect(clientSide);

  const path = join(root.dir, "src/a.txt");
  const direct = summarize(await time(upstream, path));
  const viaProxy = summarize(await time(proxied, path));
  // The mediator's own share: the same two durable appends (decision, outcome) over HTTP, no MCP in between.
  const mediatorOnly: number[] = [];
  for (let i = 0; i < CALLS; i++) {
    const t0 = performance.now();
    const d = await mediator.mediate({
      runset: "bench-mcp",
      agent: "bench-mcp",
      session: "bench-mcp-2",
      tool: "read_text_file",
      capability: "repo.read",
      resource: "src/a.txt",
      args: { path },
    });
    await mediator.recordOutcome(d.decisionId, { status: "ok", summary: "bench", outputDigest: `sha256:${"0".repeat(64)}` });
    mediatorOnly.push(performance.now() - t0);
  }
  const mediated = summarize(mediatorOnly);
  const decisionsOnly: number[] = [];
  for (let i = 0; i < CALLS; i++) {
    const t0 = performance.now();
    await mediator.mediate({
      runset: "bench-mcp",
      agent: "bench-mcp",
      session: "bench-mcp-3",
      tool: "read_text_file",
      capability: "repo.read",
      resource: "src/a.txt",
      args: { path },
    });
    decisionsOnly.push(performance.now() - t0);
  }
  const decided = summarize(decisionsOnly);
  const piggybacked: number[] = [];
  let previous: string | undefined;
  for (let i = 0; i < CALLS; i++) {
    const t0 = performance.now();
    const outcomes = previous
      ? [{ decisionId: previous, status: "ok" as const, summary: "bench", outputDigest: `sha256:${"0".repeat(64)}` }]
      : [];
    previous = (
      await mediator.mediate(
        {
          runset: "bench-mcp",
          agent: "bench-mcp",
          session: "bench-mcp-4",
          tool: "read_text_file",
          capability: "repo.read",
          resource: "src/a.txt",
          args: { path },
        },
        { outcomes },
      )
    ).decisionId;
    piggybacked.push(performance.now() - t0);
  }
  const withOutcome = summarize(piggybacked);
  printTable(
    `MCP proxy overhead per tools/call, ${CALLS} sequential calls after ${WARMUP} warm-up, ledger on ${store} (targets: added p50 ≤ 2 ms, p99 ≤ 10 ms)`,
    [
      { path: "direct", p50ms: direct.p50, p99ms: direct.p99, maxms: direct.max },
      { path: "via proxy (mediate + outcome, durable)", p50ms: viaProxy.p50, p99ms: viaProxy.p99, maxms: viaProxy.max },
      { path: "added by proxy", p50ms: viaProxy.p50 - direct.p50, p99ms: viaProxy.p99 - direct.p99, maxms: Number.NaN },
      { path: "mediate then outcome over HTTP, in turn", p50ms: mediated.p50, p99ms: mediated.p99, maxms: mediated.max },
      { path: "mediate alone over HTTP (the floor)", p50ms: decided.p50, p99ms: decided.p99, maxms: decided.max },
      { path: "mediate carrying the previous outcome", p50ms: withOutcome.p50, p99ms: withOutcome.p99, maxms: withOutcome.max },
    ],
  );
  await proxied.close();
} finally {
  await upstream.close();
  await server.stop();
  await pgDb?.drop();
  keys.remove();
  root.remove();
}
