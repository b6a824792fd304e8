// Benchmark: what content scanning costs a decision, and what it catches (issue #24, item 7).
//
// 1. POST /v1/mediate latency of one repo.write with a 64 KiB `content` against the same write without content, over
//    HTTP with durable appends, one client, the bodies alternating request by request in one run so the shared
//    machine's noise lands on all alike. The target is p99 added ≤ 2 ms. Two contents: ordinary source code, which holds
//    none of the literals secretlint's rules need (the prefilter runs no rule), and the same code with one line holding
//    every rule's literal (every rule runs: the cost before the prefilter, and what a write made to defeat it costs).
//    Rows of the scan alone, in process, with its CPU time, say how much of it is the scan.
// 2. Detection rate and false positives of the same scan over the test corpus (tests/fixtures/content/): every fake
//    credential must be found, no look-alike (digests, UUIDs, documentation keys, integrity strings) flagged. The
//    look-alikes are random, so they are drawn afresh each round.
import { createHash, randomBytes } from "node:crypto";
import { Agent } from "node:http";
import { join } from "node:path";
import { issueToken } from "../server/index.ts";
import { creator as recommended } from "@secretlint/secretlint-rule-preset-recommend";
import { contentInspector } from "../server/content/content-facts.ts";
import { candidateRules } from "../server/content/rule-prefilter.ts";
import { keyPath, loadOrCreateKey } from "../ledger/keys/key-files.ts";
import { LOOKALIKES, SECRETS } from "../tests/fixtures/content/secret-corpus.ts";
import { itemAt, printTable, spawnServer, summarize, tempDir, throwawayDatabase, postJson } from "./support.ts";

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 1000);
const WARMUP = 100;
const CONTENT_BYTES = 64 * 1024;
const CORPUS_ROUNDS = Number(process.env.BENCH_CORPUS_ROUNDS ?? 50);

/** 64 KiB of ordinary source code: what a large file write looks like, with numbers and ids a rule might look at. */
function sourceText(bytes: number): string {
  const lines: string[] = [];
  let size = 0;
  for (let i = 0; size < bytes; i++) {
    const line =
      i % 7 === 0
        ? `// ${createHash("sha256").update(String(i)).digest("hex")} ${crypto.randomUUID()}`
        : `export function handler${i}(request: Request): Response { return new Response(JSON.stringify({ id: ${i}, ok: true })); }`;
    lines.push(line);
    size += Buffer.byteLength(line) + 1;
  }
  return `${lines.join("\n")}\n`.slice(0, bytes);
}

/**
 * A line holding a literal of every rule (token prefixes, URL schemes, a PEM header's words) and no secret: appended to
 * the source text, it makes the prefilter run the whole rule set, as every scan did before it.
 */
const EVERY_LITERAL =
  "// AKIA secret account PRIVATE KEY :// npm_ xoxb- hooks.slack.com/services/ SG. shpat_ sk_live_ ghp_ glpat- glc_ T3BlbkFJ " +
  "sk-ant-api0 gsk_ hf_ lin_api_ ntn_ ops_ey mongodb hvs. vcp_ dapi dckr_pat_ figd_ cfk_ tskey-\n";

const CONTENTS = {
  code: sourceText(CONTENT_BYTES),
  "every rule": `${EVERY_LITERAL}${sourceText(CONTENT_BYTES - EVERY_LITERAL.length)}`,
};
const ALL_RULES = recommended.rules.map((rule) => rule.meta.id);
const rulesRun = (text: string) => `${candidateRules(ALL_RULES, text, "").size} of ${ALL_RULES.length} rules`;

function writeBody(session: string, content?: string): string {
  const resource = "src/handlers.ts";
  return JSON.stringify({
    runset: "bench",
    agent: "bench-agent",
    session,
    tool: "write_file",
    capability: "repo.write",
    resource,
    args:
      content === undefined
        ? { path: resource }
        : { path: resource, contentDigest: `sha256:${createHash("sha256").update(content).digest("hex")}` },
    ...(content !== undefined && { content }),
  });
}

/** The two bodies alternate on one keep-alive client; each decision must be an allow, or the row means nothing. */
async function sideBySide(label: string, serveArgs: string[], dataDir: string) {
  const server = await spawnServer(serveArgs);
  try {
    const tokenKey = await loadOrCreateKey("token", keyPath(join(dataDir, "keys"), "token"));
    const key = { kid: tokenKey.kid, privateKey: tokenKey.privateKey };
    const security = await issueToken(key, "security", "bench-sec", 3600);
    const token = await issueToken(key, "agent", "bench-agent", 3600);
    const reg = await fetch(`${server.url}/v1/runsets`, {
      method: "POST",
      headers: { authorization: `Bearer ${security}`, "content-type": "application/json" },
      body: JSON.stringify({ name: "bench", grants: [{ agent: "bench-agent", capability: "repo.write", resource: "src/**" }] }),
    });
    if (reg.status !== 201) throw new Error(`runset registration failed: ${reg.status} ${await reg.text()}`);
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const url = new URL(`${server.url}/v1/mediate`);
    const bodies = {
      none: writeBody("s-bench"),
      code: writeBody("s-bench", CONTENTS.code),
      "every rule": writeBody("s-bench", CONTENTS["every rule"]),
    };
    const kinds = Object.keys(bodies) as Array<keyof typeof bodies>;
    const latencies = Object.fromEntries(kinds.map((k) => [k, [] as number[]])) as Record<keyof typeof bodies, number[]>;
    for (let i = 0; i < WARMUP + REQUESTS; i++) {
      // Each round starts with a different kind, so none always follows the same one.
      for (const kind of kinds.map((_, j) => itemAt(kinds, (i + j) % kinds.length, "kinds"))) {
        const t0 = performance.now();
        const { status, text } = await postJson(agent, url, token, bodies[kind]);
        const ms = performance.now() - t0;
        if (status !== 200 || !(JSON.parse(text) as { allow?: boolean }).allow) throw new Error(`${kind}: ${status} ${text}`);
        if (i >= WARMUP) latencies[kind].push(ms);
      }
    }
    agent.destroy();
    const none = summarize(latencies.none);
    const rows = [{ store: label, content: "none", requests: latencies.none.length, p50ms: none.p50, p99ms: none.p99, maxms: none.max }];
    for (const kind of ["code", "every rule"] as const) {
      const s = summarize(latencies[kind]);
      const content = `64 KiB ${kind}`;
      rows.push({ store: label, content, requests: latencies[kind].length, p50ms: s.p50, p99ms: s.p99, maxms: s.max });
      rows.push({
        store: label,
        content: `${content}: added`,
        requests: latencies[kind].length,
        p50ms: s.p50 - none.p50,
        p99ms: s.p99 - none.p99,
        maxms: Number.NaN,
      });
    }
    return rows;
  } finally {
    await server.stop();
  }
}

/**
 * The scan of the same 64 KiB alone, in this process: secretlint's share of the added latency. Its CPU time per scan
 * is given too: on a shared machine the wall clock mostly measures waiting for a core, the CPU time what a scan costs.
 */
async function scanAlone(kind: keyof typeof CONTENTS) {
  const inspector = contentInspector(randomBytes(32));
  const content = CONTENTS[kind];
  const times: number[] = [];
  let cpu = process.cpuUsage();
  for (let i = 0; i < WARMUP + REQUESTS; i++) {
    if (i === WARMUP) cpu = process.cpuUsage();
    const t0 = performance.now();
    const facts = await inspector.inspect("src/handlers.ts", {}, content);
    if (i >= WARMUP) times.push(performance.now() - t0);
    if (facts.findings.length > 0) throw new Error(`the bench's source text has findings: ${facts.findings.map((f) => f.rule).join(", ")}`);
  }
  const used = process.cpuUsage(cpu);
  const cpuMs = (used.user + used.system) / 1000 / times.length;
  const s = summarize(times);
  return {
    store: `in process: inspect() alone (CPU ${cpuMs.toFixed(2)} ms/scan; ${rulesRun(content)})`,
    content: `64 KiB ${kind}`,
    requests: times.length,
    p50ms: s.p50,
    p99ms: s.p99,
    maxms: s.max,
  };
}

/** Each corpus item scanned as the file it names: found or not, and by which rules. */
async function corpus() {
  const inspector = contentInspector(randomBytes(32));
  const rows: Array<Record<string, string | number>> = [];
  let found = 0;
  for (const item of SECRETS) {
    const facts = await inspector.inspect(item.path, {}, item.content);
    if (facts.findings.length > 0) found++;
    rows.push({
      kind: "secret",
      name: item.name,
      found: facts.findings.length,
      rules: [...new Set(facts.findings.map((f) => f.rule))].join(" "),
    });
  }
  let flagged = 0;
  let scanned = 0;
  const flaggedNames = new Set<string>();
  // The look-alikes are drawn at random when the corpus module loads: re-import it for fresh ones each round.
  for (let round = 0; round < CORPUS_ROUNDS; round++) {
    const items = round === 0 ? LOOKALIKES : (await import(`../tests/fixtures/content/secret-corpus.ts?round=${round}`)).LOOKALIKES;
    for (const item of items as typeof LOOKALIKES) {
      scanned++;
      const facts = await inspector.inspect(item.path, {}, item.content);
      if (facts.findings.length > 0) {
        flagged++;
        flaggedNames.add(`${item.name} (${facts.findings.map((f) => f.rule).join(" ")})`);
      }
    }
  }
  for (const item of LOOKALIKES)
    rows.push({
      kind: "look-alike",
      name: item.name,
      found: [...flaggedNames].some((n) => n.startsWith(item.name)) ? "FLAGGED" : 0,
      rules: "",
    });
  return { rows, found, secrets: SECRETS.length, flagged, scanned, flaggedNames: [...flaggedNames] };
}

const machine = `load average ${(await import("node:os"))
  .loadavg()
  .map((l) => l.toFixed(2))
  .join(" ")} at start`;
const rows: Array<Record<string, string | number>> = [await scanAlone("code"), await scanAlone("every rule")];
const keys = tempDir("maestro-bench-content-");
try {
  const pgDb = process.env.BENCH_SKIP_PG ? null : await throwawayDatabase();
  if (pgDb) {
    try {
      rows.push(...(await sideBySide("postgres", ["--database-url", pgDb.url, "--data-dir", keys.dir], keys.dir)));
    } finally {
      await pgDb.drop();
    }
  }
  if (!process.env.BENCH_SKIP_EMBEDDED) {
    const embedded = tempDir("maestro-bench-content-");
    try {
      rows.push(...(await sideBySide("embedded", ["--data-dir", embedded.dir], embedded.dir)));
    } finally {
      embedded.remove();
    }
  }
} finally {
  keys.remove();
}
printTable(
  `repo.write decision latency, 64 KiB content against none, alternating, 1 client (${REQUESTS} each; target p99 added ≤ 2 ms; ${machine})`,
  rows,
);

const result = await corpus();
printTable("secret scan over the test corpus", result.rows);
console.log(
  `\ndetection: ${result.found}/${result.secrets} fake credentials found; false positives: ${result.flagged}/${result.scanned} look-alikes flagged (${CORPUS_ROUNDS} random draws of ${LOOKALIKES.length})`,
);
for (const name of result.flaggedNames) console.log(`  flagged: ${name}`);
console.log(
  `load average at end: ${(await import("node:os"))
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(" ")}`,
);
