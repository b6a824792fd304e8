// Witness cosigning against a real C2SP tlog-witness (litewitness): cosignatures verify, a fork is refused and
// reported, a witness that was down cosigns once it is back, and a witness that lies is not counted.
import { cpSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { generateKeyPairSync } from "node:crypto";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  countWitnesses,
  ed25519PublicRaw,
  formatCosignerVkey,
  formatVkey,
  openNote,
  parseCosignerVkey,
  parseVkey,
  signCosignature,
  splitNote,
} from "../../ledger/core/index.ts";
import { loadKeyring } from "../../ledger/keys/keyring.ts";
import { configFromEnv, createApp, composeServer, issueToken, type Services } from "../../server/index.ts";
import { startLitewitness, type Litewitness } from "../support/litewitness.ts";
import { createTestStore, STORE_KINDS, type TestStoreConfig } from "../support/test-stores.ts";
import { serve as serveHttp } from "@hono/node-server";
import type { AddressInfo } from "node:net";
import { ORIGIN, runCli, testEvent } from "./ledger-fixture.ts";
import { itemAt, present } from "../../common/present.ts";

interface Served {
  cfg: TestStoreConfig;
  ctx: Services;
  token: string;
  get(path: string): Promise<Response>;
  /** Serves the app over HTTP on a random port (for the CLI); closed with the rest. */
  listen(): Promise<string>;
  close(): Promise<void>;
}

/**
 * A server context whose checkpoints go to the witnesses `witnessesFor` gives for its log key (the keys dir may be
 * copied from another store first): the key exists before the witness trusts it, as an operator would set it up.
 */
async function serve(
  kind: TestStoreConfig["kind"],
  witnessesFor: (logVkey: string) => Promise<Array<{ vkey: string; url: string }>>,
  options: { quorum?: number; keysFrom?: string } = {},
): Promise<Served> {
  const cfg = await createTestStore(kind);
  if (options.keysFrom) cpSync(join(options.keysFrom, "keys"), join(cfg.dataDir, "keys"), { recursive: true });
  const logVkey = formatVkey(ORIGIN, (await loadKeyring(cfg.dataDir)).checkpoint.publicRaw);
  const file = join(cfg.dataDir, "witnesses.txt");
  writeFileSync(file, `# test witnesses\n${(await witnessesFor(logVkey)).map((w) => `${w.vkey} ${w.url}`).join("\n")}\n`);
  const ctx = await composeServer(
    configFromEnv(
      {
        dataDir: cfg.dataDir,
        databaseUrl: cfg.databaseUrl,
        origin: ORIGIN,
        witnessesFile: file,
        witnessQuorum: options.quorum,
        witnessTimeoutMs: 2000,
      },
      {},
    ),
  );
  const app = createApp(ctx);
  const key = ctx.ledger.keyring.token;
  const token = await issueToken({ kid: key.kid, privateKey: key.privateKey }, "auditor", "witness-test", 3600);
  let http: ReturnType<typeof serveHttp> | undefined;
  return {
    cfg,
    ctx,
    token,
    get: async (path) => app.request(path, { headers: { authorization: `Bearer ${token}` } }),
    listen: async () => {
      if (!http) {
        http = serveHttp({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" });
        await new Promise((r) => http!.once("listening", r));
      }
      return `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
    },
    close: async () => {
      if (http) await new Promise((r) => http!.close(r));
      await ctx.close();
      await cfg.cleanup();
    },
  };
}

/** Runs `f` with console.error captured: the server reports witness problems there as JSON lines. */
async function captureReports(f: () => Promise<unknown>): Promise<Array<Record<string, unknown>>> {
  const lines: string[] = [];
  const original = console.error;
  console.error = (line: string) => lines.push(line);
  try {
    await f();
  } finally {
    console.error = original;
  }
  return lines.map((l) => JSON.parse(l));
}

/** GET /v1/ledger/witnessed, as the JSON an auditor reads. */
async function witnessedOf(s: Served): Promise<any> {
  const res = await s.get("/v1/ledger/witnessed");
  expect(res.status).toBe(200);
  return res.json();
}

async function append(ctx: Services, n: number, tag: string): Promise<void> {
  await Promise.all(Array.from({ length: n }, (_, i) => ctx.ledger.writer.append({ ...testEvent(i), payload: { n: i, tag } })));
}

describe.each(STORE_KINDS)("witness cosigning (%s)", (kind) => {
  let witness: Litewitness;
  let a: Served;

  beforeAll(async () => {
    a = await serve(kind, async (logVkey) => {
      witness = await startLitewitness({ name: "witness.test/w1", origin: ORIGIN, logVkey });
      return [witness];
    });
  }, 60_000);
  afterAll(async () => {
    await a?.close();
    await witness?.close();
  });

  it("stores cosignatures that verify with the witness key and serves them on both checkpoint routes", async () => {
    await append(a.ctx, 5, "a1");
    const first = await a.ctx.ledger.checkpointer.issueAndCosign();
    await append(a.ctx, 7, "a2");
    const cp = await a.ctx.ledger.checkpointer.issueAndCosign(); // old = first.size, with a consistency proof
    expect(cp.size).toBeGreaterThan(first.size);
    for (const path of ["/v1/ledger/checkpoint", "/tlog/checkpoint"]) {
      const note = await (await a.get(path)).text();
      expect(splitNote(note).lines).toHaveLength(2);
      expect(openNote(note, [parseVkey(a.ctx.checkpointVkey)]).sigs).toHaveLength(1); // the log's own signature still opens
      const count = countWitnesses(note, [parseCosignerVkey(witness.vkey)], 1);
      expect(count.witnessed).toBe(true);
      expect(Math.abs(itemAt(count.valid, 0, "valid cosignatures").timestamp - Date.now() / 1000)).toBeLessThan(60);
    }
    const w = await witnessedOf(a);
    expect(w).toMatchObject({ quorum: 1, checkpoint: { size: cp.size, cosigners: ["witness.test/w1"] } });
    expect(w.witnesses[0]).toMatchObject({ vkey: witness.vkey, cosignedSize: cp.size, error: null });
    expect(witness.logs().find((l) => l.origin === ORIGIN)?.size).toBe(cp.size);
  });

  it("re-verifies stored cosignatures when reading: a changed row is not counted", async () => {
    const { ctx } = a;
    const latest = (await ctx.ledger.reader.latestCheckpoint())!;
    const row = await ctx.db
      .selectFrom("ledger_cosignatures")
      .select(["line"])
      .where("checkpoint_id", "=", latest.id)
      .executeTakeFirstOrThrow();
    const raw = Buffer.from(present(row.line.split(" ")[2], "the cosignature's base64"), "base64");
    raw[raw.length - 1] = itemAt(raw, raw.length - 1, "cosignature bytes") ^ 1; // one bit of the signature
    const forged = `\u2014 witness.test/w1 ${raw.toString("base64")}`;
    await ctx.db.updateTable("ledger_cosignatures").set({ line: forged }).where("checkpoint_id", "=", latest.id).execute();
    try {
      const w = await witnessedOf(a);
      expect(w.checkpoint.size).toBeLessThan(latest.size); // the previous witnessed checkpoint
      // And the offline verifier refuses a forged line under a trusted witness key outright.
      const url = await a.listen();
      const run = await runCli([
        "ledger",
        "verify",
        "--url",
        url,
        "--token",
        a.token,
        "--skip-proofs",
        "--witness",
        witness.vkey,
        "--json",
      ]);
      expect(run.json).toMatchObject({ ok: false, part: "witness" });
    } finally {
      await ctx.db.updateTable("ledger_cosignatures").set({ line: row.line }).where("checkpoint_id", "=", latest.id).execute();
    }
    expect((await witnessedOf(a)).checkpoint.size).toBe(latest.size);
  });

  it("maestro ledger verify --witness --quorum checks the cosignatures offline, and fails without a quorum", async () => {
    const url = await a.listen();
    const src = ["--url", url, "--token", a.token, "--skip-proofs"];
    const ok = await runCli(["ledger", "verify", ...src, "--witness", witness.vkey, "--quorum", "1", "--json"]);
    expect(ok.code, ok.stderr).toBe(0);
    const size = (await witnessedOf(a)).checkpoint.size;
    expect(ok.json.witnessed).toEqual({ size, cosigners: ["witness.test/w1"], quorum: 1 });
    // A witness the log never had: nothing it signed, so no quorum.
    const other = formatCosignerVkey("witness.test/other", ed25519PublicRaw(generateKeyPairSync("ed25519").privateKey));
    const none = await runCli(["ledger", "verify", ...src, "--witness", witness.vkey, "--witness", other, "--json"]);
    expect(none.code).toBe(1);
    expect(none.json).toMatchObject({ ok: false, part: "witness" });
    const usage = await runCli(["ledger", "verify", ...src, "--witness", witness.vkey, "--quorum", "2"]);
    expect(usage.code).toBe(2);
  });

  it("goes on unwitnessed while the witness is down, and the witness cosigns the newest checkpoint once back", async () => {
    const before = (await witnessedOf(a)).checkpoint.size;
    await witness.stop();
    await append(a.ctx, 3, "down");
    const down = await a.ctx.ledger.checkpointer.issueAndCosign();
    expect(down.size).toBeGreaterThan(before);
    expect(splitNote(await (await a.get("/v1/ledger/checkpoint")).text()).lines).toHaveLength(1);
    let w = await witnessedOf(a);
    expect(w.checkpoint.size).toBe(before);
    expect(w.witnesses[0].error.code).toBe("unreachable");
    // The metric operators alert on: entries past what the witness last cosigned.
    const lag = /^maestro_witness_lag_entries\{witness="witness\.test\/w1"\} (\d+)$/m.exec(await (await a.get("/metrics")).text());
    expect(Number(lag?.[1])).toBe(down.size - before);

    await witness.start();
    await append(a.ctx, 2, "back");
    const back = await a.ctx.ledger.checkpointer.issueAndCosign();
    w = await witnessedOf(a);
    expect(w.checkpoint.size).toBe(back.size);
    expect(w.witnesses[0]).toMatchObject({ cosignedSize: back.size, error: null });
    // With nothing new, the next round re-asks for the unwitnessed newest checkpoint (same size, so no new checkpoint).
    await witness.stop();
    await append(a.ctx, 1, "again");
    const pending = await a.ctx.ledger.checkpointer.issueAndCosign();
    await witness.start();
    const same = await a.ctx.ledger.checkpointer.issueAndCosign();
    expect(same.id).toBe(pending.id);
    expect((await witnessedOf(a)).checkpoint.size).toBe(pending.size);
  });

  it("a second log under the same key and origin is refused by the witness, and the server reports the fork", async () => {
    const witnessed = witness.logs().find((l) => l.origin === ORIGIN)!;
    const b = await serve(kind, async () => [witness], { keysFrom: a.cfg.dataDir });
    try {
      expect(b.ctx.checkpointVkey).toBe(a.ctx.checkpointVkey);
      await append(b.ctx, witnessed.size + 4, "forked history");
      const reports = await captureReports(() => b.ctx.ledger.checkpointer.issueAndCosign());
      const w = await witnessedOf(b);
      expect(w.checkpoint).toBeNull();
      expect(w.witnesses[0].error.code).toBe("fork");
      expect(reports).toEqual([expect.objectContaining({ level: "error", problem: "fork", witness: witness.vkey })]);
      // The witness kept a's view.
      expect(witness.logs().find((l) => l.origin === ORIGIN)).toEqual(witnessed);
    } finally {
      await b.close();
    }
  });

  it("a witness that lies (a cosignature under another key) is not counted", async () => {
    // A second real witness with no history, so this fresh log (a's key and origin) is cosignable by it.
    let honest: Litewitness | undefined;
    const liar = await lyingWitness("witness.test/liar");
    const c = await serve(
      kind,
      async (logVkey) => {
        honest = await startLitewitness({ name: "witness.test/w2", origin: ORIGIN, logVkey });
        return [honest, liar];
      },
      { keysFrom: a.cfg.dataDir, quorum: 2 },
    );
    try {
      await append(c.ctx, 2, "c");
      const reports = await captureReports(() => c.ctx.ledger.checkpointer.issueAndCosign());
      expect(reports).toEqual([expect.objectContaining({ problem: "bad_cosignature", witness: liar.vkey })]);
      const w = await witnessedOf(c);
      expect(w.checkpoint).toBeNull(); // 2 of 2 required, only the honest one counts
      expect(w.witnesses.map((s: { name: string; error: { code: string } | null }) => [s.name, s.error?.code ?? null])).toEqual([
        ["witness.test/w2", null],
        ["witness.test/liar", "bad_cosignature"],
      ]);
      const note = await (await c.get("/v1/ledger/checkpoint")).text();
      expect(note).not.toContain("witness.test/liar");
      const count = countWitnesses(note, [parseCosignerVkey(honest!.vkey), parseCosignerVkey(liar.vkey)], 1);
      expect(count.valid.map((v) => v.cosigner.name)).toEqual(["witness.test/w2"]);
    } finally {
      await c.close();
      await liar.close();
      await honest?.close();
    }
  });
});

/** Answers every add-checkpoint with a well-formed cosignature under the configured name, signed by another key. */
async function lyingWitness(name: string): Promise<{ vkey: string; url: string; close(): Promise<void> }> {
  const configured = generateKeyPairSync("ed25519").privateKey;
  const actual = generateKeyPairSync("ed25519").privateKey;
  const server: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (d: Buffer) => (body += d.toString()));
    req.on("end", () => {
      const note = body.slice(body.indexOf("\n\n") + 2);
      const line = signCosignature(splitNote(note).body, { name, privateKey: actual }, Math.floor(Date.now() / 1000));
      // Claim the configured key's ID so the line is not simply ignored as someone else's.
      const raw = Buffer.from(present(line.split(" ")[2], "the cosignature's base64"), "base64");
      const id = Buffer.from(present(formatCosignerVkey(name, ed25519PublicRaw(configured)).split("+")[1], "the vkey's key ID"), "hex");
      id.copy(raw, 0);
      res.writeHead(200, { "Content-Type": "text/plain" }).end(`\u2014 ${name} ${raw.toString("base64")}\n`);
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as { port: number };
  return {
    vkey: formatCosignerVkey(name, ed25519PublicRaw(configured)),
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
