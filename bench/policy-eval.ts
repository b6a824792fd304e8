// Benchmark: in-process Wasm evaluation of maestro/decision vs the same policy behind `opa run --server`.
// Prints p50/p99 latency (µs) and the ratio; targets: Wasm p99 <= 100 µs and >= 10x faster than the OPA server.
// Usage: node bench/policy-eval.ts [iterations=20000] [serverRequests=2000]
import { type ChildProcess, spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import { createServer } from "node:net";
import type { PolicyInput } from "../server/policy/decision-types.ts";
import { DEFAULT_BUNDLE_FILE, DEFAULT_OPA_PATH, DEFAULT_REGO_DIR } from "../server/policy/default-bundle.ts";
import { itemAt } from "./support.ts";
import { PolicyEngine } from "../server/policy/engine.ts";

const iterations = Number(process.argv[2] ?? 20_000);
const serverRequests = Number(process.argv[3] ?? 2_000);

// A realistic call: a dozen grants, a few waivers, a hold on another release, a tainted-session check.
const input: PolicyInput = {
  call: {
    runset: "rs-42",
    agent: "coder",
    session: "sess-9",
    tool: "write_file",
    capability: "repo.write",
    resource: "server/policy/engine.ts",
    args: { path: "server/policy/engine.ts", content: "x".repeat(512), api_token: "t" },
  },
  now: "2025-06-01T12:00:00Z",
  session: { tainted: true, taint_sources: ["https://example.com/readme"], secret_sources: [] },
  budget: { spent_usd: 3.2, cap_usd: 25, estimated_usd: 0.04 },
  grants: Array.from({ length: 12 }, (_, i) => ({
    agent: i % 3 === 0 ? "*" : "coder",
    runset: "rs-42",
    capability: itemAt(["repo.read", "repo.write", "tests.run", "network.egress"], i % 4, "capabilities"),
    resource: i === 5 ? "server/**" : `pkg${i}/**`,
    approval: i % 2 ? ("none" as const) : ("required" as const),
  })),
  waivers: Array.from({ length: 4 }, (_, i) => ({
    id: `w-${i}`,
    capability: "network.egress",
    resource: `*.host${i}.example`,
    agents: null,
    runsets: ["rs-42"],
    expires_at: "2025-06-02T00:00:00Z",
    waives: ["session_tainted"],
    state: "active",
  })),
  holds: [{ id: "hold-1", scope: { type: "release", id: "acme/api@v9" }, reason: "audit", placed_by: "alice" }],
  breakglass: [],
};

function percentiles(samples: number[]): { p50: number; p99: number; mean: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => itemAt(sorted, Math.min(sorted.length - 1, Math.floor(q * sorted.length)), "samples");
  return { p50: at(0.5), p99: at(0.99), mean: sorted.reduce((a, b) => a + b, 0) / sorted.length };
}

const fmt = (p: { p50: number; p99: number; mean: number }) =>
  `p50 ${p.p50.toFixed(1)} µs  p99 ${p.p99.toFixed(1)} µs  mean ${p.mean.toFixed(1)} µs`;

async function benchWasm(): Promise<{ p50: number; p99: number; mean: number }> {
  const engine = await PolicyEngine.load(await readFile(DEFAULT_BUNDLE_FILE));
  const first = engine.evaluateDecision(input);
  if (first.decision !== "allow") throw new Error(`unexpected decision ${JSON.stringify(first)}`);
  for (let i = 0; i < 2_000; i++) engine.evaluateDecision(input);
  const samples: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const start = process.hrtime.bigint();
    engine.evaluateDecision(input);
    samples.push(Number(process.hrtime.bigint() - start) / 1000);
  }
  return percentiles(samples);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}

async function benchOpaServer(): Promise<{ p50: number; p99: number; mean: number }> {
  const port = await freePort();
  const args = ["run", "--server", "--addr", `127.0.0.1:${port}`, "--ignore", "*_test.rego", DEFAULT_REGO_DIR];
  const opa: ChildProcess = spawn(DEFAULT_OPA_PATH, args, { stdio: "ignore" });
  try {
    const base = `http://127.0.0.1:${port}`;
    for (let i = 0; ; i++) {
      if (
        await fetch(`${base}/health`).then(
          (r) => r.ok,
          () => false,
        )
      )
        break;
      if (i > 100) throw new Error("opa server did not become healthy");
      await new Promise((r) => setTimeout(r, 100));
    }
    const body = JSON.stringify({ input });
    const call = async () => {
      const res = await fetch(`${base}/v1/data/maestro/decision`, {
        method: "POST",
        body,
        headers: { "content-type": "application/json" },
      });
      return (await res.json()) as { result?: { decision?: string } };
    };
    const first = await call();
    if (first.result?.decision !== "allow") throw new Error(`unexpected OPA result ${JSON.stringify(first)}`);
    for (let i = 0; i < 200; i++) await call();
    const samples: number[] = [];
    for (let i = 0; i < serverRequests; i++) {
      const start = process.hrtime.bigint();
      await call();
      samples.push(Number(process.hrtime.bigint() - start) / 1000);
    }
    return percentiles(samples);
  } finally {
    opa.kill();
  }
}

const wasm = await benchWasm();
console.log(`wasm in-process   (${iterations} evals):   ${fmt(wasm)}`);
const server = await benchOpaServer();
console.log(`opa run --server  (${serverRequests} requests): ${fmt(server)}`);
console.log(`speed-up: p50 ${(server.p50 / wasm.p50).toFixed(1)}x  p99 ${(server.p99 / wasm.p99).toFixed(1)}x`);
console.log(`targets: wasm p99 <= 100 µs ${wasm.p99 <= 100 ? "met" : "MISSED"}; >= 10x ${server.p50 / wasm.p50 >= 10 ? "met" : "MISSED"}`);
