// Benchmark: what the secret scan leaves behind. N scans of 64 KiB that run every rule, then a full collection: heap
// retained, entries left in the process's performance timeline, the collector's pauses during the scans, and CPU per
// scan. Run it side by side (it needs --expose-gc, which side-by-side does not pass, so it asks for it itself):
//
//   BENCH_BASE=<commit> node bench/side-by-side.ts bench/content-heap.ts 4
import { randomBytes } from "node:crypto";
import { execFileSync } from "node:child_process";
import { PerformanceObserver } from "node:perf_hooks";
import { contentInspector } from "../server/content/content-facts.ts";

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) {
  // Re-run this script with the flag, in the same directory, and pass its output on.
  process.stdout.write(execFileSync(process.execPath, ["--expose-gc", ...process.argv.slice(1)], { encoding: "utf8" }));
  process.exit(0);
}

const SCANS = Number(process.env.BENCH_SCANS ?? 2000);
/** The bench:content every-rule line (every rule's literal, no secret) over 64 KiB of ordinary code. */
const EVERY_LITERAL =
  "// AKIA secret account PRIVATE KEY :// npm_ xoxb- hooks.slack.com/services/ SG. shpat_ sk_live_ ghp_ glpat- glc_ T3BlbkFJ " +
  "sk-ant-api0 gsk_ hf_ lin_api_ ntn_ ops_ey mongodb hvs. vcp_ dapi dckr_pat_ figd_ cfk_ tskey-\n";
const LINE = "export function handler(request: Request): Response { return new Response(JSON.stringify({ ok: true })); }\n";
const text = `${EVERY_LITERAL}${LINE.repeat(Math.ceil((64 * 1024) / LINE.length))}`.slice(0, 64 * 1024);

const inspector = contentInspector(randomBytes(32));
for (let i = 0; i < 100; i++) await inspector.inspect("src/handlers.ts", {}, text);
gc();
const heapBefore = process.memoryUsage().heapUsed;
const entriesBefore = performance.getEntries().length;
const pauses = { count: 0, ms: 0, longest: 0 };
const observer = new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    pauses.count++;
    pauses.ms += entry.duration;
    pauses.longest = Math.max(pauses.longest, entry.duration);
  }
});
observer.observe({ entryTypes: ["gc"] });
const cpu = process.cpuUsage();
for (let i = 0; i < SCANS; i++) await inspector.inspect("src/handlers.ts", {}, text);
const used = process.cpuUsage(cpu);
await new Promise((resolve) => setTimeout(resolve, 50));
observer.disconnect();
gc();
console.log(
  `content-heap: ${SCANS} every-rule scans of 64 KiB: CPU ${((used.user + used.system) / 1000 / SCANS).toFixed(2)} ms/scan; ` +
    `heap retained +${((process.memoryUsage().heapUsed - heapBefore) / 1048576).toFixed(1)} MB; ` +
    `timeline entries +${performance.getEntries().length - entriesBefore}; ` +
    `GC pauses ${pauses.count}, ${pauses.ms.toFixed(0)} ms in all, longest ${pauses.longest.toFixed(1)} ms`,
);
