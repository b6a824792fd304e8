// Side by side: two or more builds of the console's verifier worker (verify-worker.js) verifying the same 10,000-event
// evidence export in one Chromium, alternately (ABBA), so the shared machine's load falls on every build alike; and,
// with BENCH_PROFILE=1, where one verification's time goes (the worker thread's CPU profile from a Chromium trace).
//
//   node bench/console-verify-ab.ts <dir with verify-worker.js> [<dir> ...]     (default: console/dist)
//   BENCH_RUNS (default 4 per build), BENCH_EVENTS (default 10,000), BENCH_PROFILE=1 (profiles the first build)
//
// Each run is what the console's maestro:verify measure times (console/client/verify-panel.ts): from new Worker() to
// the verdict, with the export already downloaded; a page of this bench's own, so builds differ only in the worker.
import { createServer } from "node:http";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { loadavg } from "node:os";
import type { AddressInfo } from "node:net";
import { chromium } from "playwright-core";
import { configFromEnv, createApp, composeServer, issueToken } from "../server/index.ts";
import { RELEASE_ID, seedPublishedRelease } from "./release-seed.ts";
import { tempDir } from "./support.ts";

const EVENTS = Number(process.env.BENCH_EVENTS ?? 10_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 4);
const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
const builds = (process.argv.slice(2).length ? process.argv.slice(2) : [join(import.meta.dirname, "..", "console", "dist")]).map((d) =>
  resolve(d),
);

/** The export and the pinned key, from a freshly seeded embedded store (the server is closed before any timing). */
async function seededExport(): Promise<{ exportText: string; keyText: string }> {
  const tmp = tempDir("maestro-bench-verify-ab-");
  const ctx = await composeServer(configFromEnv({ dataDir: tmp.dir, databaseUrl: undefined }));
  try {
    const app = createApp(ctx);
    const key = ctx.ledger.keyring.token;
    const sign = (role: "security" | "auditor", sub: string) => issueToken({ kid: key.kid, privateKey: key.privateKey }, role, sub, 3600);
    await seedPublishedRelease(ctx, app, await sign("security", "sec-1"), EVENTS);
    const res = await app.request(`/v1/releases/${RELEASE_ID}/bundle`, {
      headers: { authorization: `Bearer ${await sign("auditor", "aud-1")}` },
    });
    if (res.status !== 200) throw new Error(`export: HTTP ${res.status}`);
    return { exportText: await res.text(), keyText: JSON.stringify({ keys: await ctx.eventJwks() }) };
  } finally {
    await ctx.close();
    tmp.remove();
  }
}

const PAGE = `<!doctype html><meta charset="utf-8"><title>verify A/B</title><script type="module">
window.exportText = await (await fetch("/export.json")).text();
window.keyText = await (await fetch("/key.json")).text();
window.verifyWith = (url) => new Promise((resolve, reject) => {
  const t0 = performance.now();
  const worker = new Worker(url, { type: "module" });
  worker.onmessage = ({ data }) => {
    if (data.type === "check") return;
    const ms = performance.now() - t0;
    worker.terminate();
    if (data.type === "done" && data.result.ok) resolve(ms);
    else reject(new Error(data.type === "done" ? "failed at " + data.result.failedParts.join(", ") : data.message));
  };
  worker.onerror = (e) => reject(new Error(e.message));
  worker.postMessage({ exportText: window.exportText, keyText: window.keyText });
});
window.ready = true;
</script>`;

interface TraceEvent {
  name: string;
  ph: string;
  pid: number;
  tid: number;
  id?: string;
  args?: { name?: string; data?: { cpuProfile?: { nodes?: ProfileNode[]; samples?: number[] }; timeDeltas?: number[] } };
}
interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url?: string; lineNumber: number; columnNumber: number };
  parent?: number;
}

/** Self time per function on the worker's thread, from the trace's ProfileChunk events (sampled every ~100 µs). */
function workerProfile(trace: { traceEvents: TraceEvent[] }): void {
  const events = trace.traceEvents;
  const threads = new Map(events.filter((e) => e.name === "thread_name").map((e) => [`${e.pid}:${e.tid}`, e.args?.name ?? ""]));
  // ProfileChunk events come from the profiler's own thread; the Profile event that opens them names the sampled one.
  const sampled = new Map(events.filter((e) => e.name === "Profile" && e.id).map((e) => [`${e.pid}:${e.id}`, `${e.pid}:${e.tid}`]));
  const byProfile = new Map<string, { thread: string; nodes: Map<number, ProfileNode>; self: Map<number, number>; total: number }>();
  for (const e of events) {
    if (e.name !== "ProfileChunk" || !e.id) continue;
    const key = `${e.pid}:${e.id}`;
    let p = byProfile.get(key);
    if (!p)
      byProfile.set(key, (p = { thread: threads.get(sampled.get(key) ?? "") ?? `${e.tid}`, nodes: new Map(), self: new Map(), total: 0 }));
    const data = e.args?.data;
    for (const n of data?.cpuProfile?.nodes ?? []) p.nodes.set(n.id, n);
    const samples = data?.cpuProfile?.samples ?? [];
    const deltas = data?.timeDeltas ?? [];
    for (let i = 0; i < samples.length; i++) {
      // A sample's time is the gap to the next one: approximated by its own delta, as DevTools does for a chunk.
      const dt = (deltas[i + 1] ?? deltas[i] ?? 0) / 1000;
      p.self.set(samples[i]!, (p.self.get(samples[i]!) ?? 0) + dt);
      p.total += dt;
    }
  }
  for (const p of byProfile.values()) {
    if (!/worker/i.test(p.thread) || p.total < 50) continue;
    const byFunction = new Map<string, number>();
    for (const [id, ms] of p.self) {
      const f = p.nodes.get(id)?.callFrame;
      const name = f ? `${f.functionName || "(anonymous)"} ${(f.url ?? "").split("/").at(-1)}:${f.lineNumber}:${f.columnNumber}` : "?";
      byFunction.set(name, (byFunction.get(name) ?? 0) + ms);
    }
    console.log(`\nthread ${p.thread}: ${Math.round(p.total)} ms sampled; self time by function:`);
    for (const [name, ms] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, 40))
      console.log(`${ms.toFixed(0).padStart(7)} ms  ${name}`);
  }
}

/** BENCH_EXPORT=<file>: reuse an export saved by an earlier run (seeding 10,000 events takes a while under load). */
async function exportToVerify(): Promise<{ exportText: string; keyText: string }> {
  const saved = process.env.BENCH_EXPORT;
  if (saved && existsSync(saved)) return JSON.parse(readFileSync(saved, "utf8")) as { exportText: string; keyText: string };
  const seeded = await seededExport();
  if (saved) writeFileSync(saved, JSON.stringify(seeded));
  return seeded;
}

async function main(): Promise<void> {
  const { exportText, keyText } = await exportToVerify();
  const files: Record<string, { type: string; body: string | Buffer }> = {
    "/": { type: "text/html", body: PAGE },
    "/export.json": { type: "application/json", body: exportText },
    "/key.json": { type: "application/json", body: keyText },
  };
  builds.forEach(
    (dir, i) => (files[`/w${i}/verify-worker.js`] = { type: "text/javascript", body: readFileSync(join(dir, "verify-worker.js")) }),
  );
  const http = createServer((req, res) => {
    const file = files[req.url ?? ""];
    res.writeHead(file ? 200 : 404, { "content-type": file?.type ?? "text/plain", "cache-control": "no-store" }).end(file?.body ?? "");
  });
  await new Promise<void>((ok) => http.listen(0, "127.0.0.1", ok));
  const base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox", "--disable-gpu", "--no-first-run"] });
  const times: number[][] = builds.map(() => []);
  try {
    const page = await browser.newPage();
    await page.goto(base);
    await page.waitForFunction(() => (globalThis as unknown as { ready?: boolean }).ready === true);
    const verify = (i: number) =>
      page.evaluate(
        (url) => (globalThis as unknown as { verifyWith(u: string): Promise<number> }).verifyWith(url),
        `/w${i}/verify-worker.js`,
      );
    await verify(0); // warm-up: the page's first worker pays for things no later one does
    if (process.env.BENCH_PROFILE) {
      await browser.startTracing(page, { categories: ["disabled-by-default-v8.cpu_profiler", "v8.execute", "devtools.timeline"] });
      const ms = await verify(0);
      const raw = await browser.stopTracing();
      if (process.env.BENCH_TRACE_FILE) writeFileSync(process.env.BENCH_TRACE_FILE, raw);
      const trace = JSON.parse(raw.toString("utf8")) as { traceEvents: TraceEvent[] };
      console.log(`profiled run of ${builds[0]}: ${Math.round(ms)} ms`);
      workerProfile(trace);
    }
    const order = builds.map((_, i) => i);
    for (let r = 0; r < RUNS; r++) {
      for (const i of r % 2 === 0 ? order : [...order].reverse()) times[i]!.push(await verify(i));
    }
  } finally {
    await browser.close();
    http.close();
  }
  const range = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    return `${Math.round(s[0]!)}–${Math.round(s.at(-1)!)} ms (median ${Math.round(s[Math.floor(s.length / 2)]!)})`;
  };
  console.log(
    `\n${EVENTS} events, ${(exportText.length / 1e6).toFixed(1)} MB export, ${RUNS} runs per build (ABBA), load ${loadavg()[0]!.toFixed(1)}`,
  );
  builds.forEach((dir, i) => console.log(`${dir}: ${range(times[i]!)}  [${times[i]!.map((t) => Math.round(t)).join(", ")}]`));
}

await main();
