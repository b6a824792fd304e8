// The ledger store contract: one suite, run on the embedded store and on PostgreSQL, through the real server wiring.
import { createHash } from "node:crypto";
import fc from "fast-check";
import { sql } from "kysely";
import { MerkleTree } from "merkletreejs";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MaestroError } from "../../common/errors.ts";
import { verifyCheckpoint, verifyConsistency, verifyInclusion } from "../../ledger/core/index.ts";
import type { VerifyEntry } from "../../ledger/verify/index.ts";
import { configFromEnv, createApp, composeServer, issueToken, type Services } from "../../server/index.ts";
import { createTestStore, STORE_KINDS, type TestStoreConfig } from "../support/test-stores.ts";
import { invalidOnPurpose } from "../support/invalid-on-purpose.ts";
import { ORIGIN, openTestLedger, testEvent, verifyStoredLog } from "./ledger-fixture.ts";
import { itemAt } from "../../common/present.ts";

const sha256 = (b: Buffer) => createHash("sha256").update(b).digest();

/** merkletreejs configured as RFC 6962: leaves given pre-hashed (0x00), interior nodes over 0x01‖l‖r. */
function referenceRoot(leafHashes: Uint8Array[]): Uint8Array {
  const tree = new MerkleTree(
    leafHashes.map((h) => Buffer.from(h)),
    sha256,
    { concatenator: (b: Buffer[]) => Buffer.concat([Buffer.from([1]), ...b]) },
  );
  return new Uint8Array(tree.getRoot());
}

async function allEntries(ctx: Services): Promise<VerifyEntry[]> {
  return ctx.ledger.reader.rawEntries(0, 100_000);
}

describe.each(STORE_KINDS)("ledger store contract (%s)", (kind) => {
  let cfg: TestStoreConfig;
  let ctx: Services;
  let app: ReturnType<typeof createApp>;
  let auditor: string;

  beforeAll(async () => {
    cfg = await createTestStore(kind);
    // env {} so an inherited DATABASE_URL cannot turn the embedded run into a PostgreSQL one
    ctx = await composeServer(configFromEnv({ dataDir: cfg.dataDir, databaseUrl: cfg.databaseUrl, origin: ORIGIN }, {}));
    app = createApp(ctx);
    const key = ctx.ledger.keyring.token;
    auditor = await issueToken({ kid: key.kid, privateKey: key.privateKey }, "auditor", "auditor-1", 3600);
  });
  afterAll(async () => {
    await ctx?.close().catch(() => {});
    await cfg?.cleanup();
  });

  const get = async (path: string, invalid?: string) => {
    const init = { headers: { authorization: `Bearer ${auditor}` } };
    const res = await app.request(path, invalid ? invalidOnPurpose(invalid, init) : init);
    return { status: res.status, body: (await res.json()) as any };
  };

  it("appends in order and reads back what it appended", async () => {
    const { writer, reader } = ctx.ledger;
    const base = (await reader.head()).size;
    const a = await writer.append(testEvent(1));
    const b = await writer.append(testEvent(2));
    expect([a.index, b.index]).toEqual([base, base + 1]);
    const stored = await reader.entry(b.index);
    expect(stored.event).toEqual(b.event);
    expect(stored.leafHash).toEqual(b.leafHash);
    expect(stored.signature).toBe(b.signature);
    expect((await reader.entryByEventId(a.event.id))?.index).toBe(a.index);
    expect((await reader.entriesFor("test.entry", "test:d-2")).map((e) => e.index)).toContain(b.index);
    const entries = await allEntries(ctx);
    expect(toB64((await reader.head()).root)).toBe(toB64(referenceRoot(entries.map((e) => e.leafHash))));
  });

  it("gives 500 concurrent appends exactly the next 500 indexes, and the log verifies", async () => {
    const base = (await ctx.ledger.reader.head()).size;
    const results = await Promise.all(Array.from({ length: 500 }, (_, i) => ctx.ledger.writer.append(testEvent(i))));
    expect(results.map((r) => r.index).sort((x, y) => x - y)).toEqual(Array.from({ length: 500 }, (_, i) => base + i));
    await ctx.ledger.checkpointer.issue();
    expect(await verifyStoredLog(ctx)).toMatchObject({ ok: true, size: base + 500 });
  });

  it("rolls back an append whose apply throws: neither the domain row nor the event is written", async () => {
    // A table of this test's own, beside the server's (AppDb does not know it).
    type Widgets = { contract_widgets: { id: string; ledger_index: number } };
    await sql`create table if not exists contract_widgets (id text primary key, ledger_index bigint not null)`.execute(ctx.db);
    const { writer, reader } = ctx.ledger;
    const before = await reader.head();
    let rejectedEventId = "";
    const outcomes = await Promise.allSettled([
      writer.append(testEvent(1), {
        apply: async (trx, _e, index) =>
          void (await trx.$extendTables<Widgets>().insertInto("contract_widgets").values({ id: "w-ok-1", ledger_index: index }).execute()),
      }),
      writer.append(testEvent(2), {
        apply: async (trx, event) => {
          rejectedEventId = event.id;
          await trx.$extendTables<Widgets>().insertInto("contract_widgets").values({ id: "w-bad", ledger_index: -1 }).execute();
          throw new MaestroError("conflict", "widget already taken");
        },
      }),
      writer.append(testEvent(3), {
        apply: async (trx, _e, index) =>
          void (await trx.$extendTables<Widgets>().insertInto("contract_widgets").values({ id: "w-ok-2", ledger_index: index }).execute()),
      }),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    expect((outcomes[1] as PromiseRejectedResult).reason).toMatchObject({ code: "conflict" });
    const rows = await ctx.db.$extendTables<Widgets>().selectFrom("contract_widgets").selectAll().orderBy("id").execute();
    expect(rows.map((r: any) => r.id)).toEqual(["w-ok-1", "w-ok-2"]);
    // The committed appends took the next two indexes, and the index each apply saw is the one it got.
    const ok = outcomes.filter((o) => o.status === "fulfilled").map((o) => (o as PromiseFulfilledResult<any>).value.index);
    expect(ok.sort()).toEqual([before.size, before.size + 1]);
    expect(rows.map((r: any) => Number(r.ledger_index)).sort()).toEqual(ok);
    expect((await reader.head()).size).toBe(before.size + 2);
    expect(await reader.entryByEventId(rejectedEventId)).toBeNull();
  });

  it("serves inclusion and consistency proofs that verify against merkletreejs roots (property)", async () => {
    const { reader } = ctx.ledger;
    const leaves = (await allEntries(ctx)).map((e) => e.leafHash);
    const n = leaves.length;
    const rootCache = new Map<number, Uint8Array>();
    const rootOf = (size: number) => rootCache.get(size) ?? rootCache.set(size, referenceRoot(leaves.slice(0, size))).get(size)!;
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: n }), fc.integer({ min: 1, max: n }), fc.nat(), async (s1, s2, pick) => {
        const [m, size] = s1 <= s2 ? [s1, s2] : [s2, s1];
        const index = pick % size;
        const inc = await reader.inclusionProof(index, size);
        verifyInclusion({ leafHash: inc.leafHash, index, size, proof: inc.hashes, root: rootOf(size) });
        expect(toB64(await reader.rootAt(size))).toBe(toB64(rootOf(size)));
        const cons = await reader.consistencyProof(m, size);
        verifyConsistency({ size1: m, size2: size, root1: rootOf(m), root2: rootOf(size), proof: cons.hashes });
      }),
      { numRuns: 40 },
    );
  });

  it("stores every checkpoint, signed for the current head", async () => {
    const { checkpointer, reader } = ctx.ledger;
    await ctx.ledger.writer.append(testEvent(9));
    const cp = await checkpointer.issue();
    const head = await reader.head();
    expect(cp.size).toBe(head.size);
    expect(verifyCheckpoint(cp.note, ctx.checkpointVkey, ORIGIN)).toMatchObject({ size: head.size, rootHash: head.root });
    expect((await checkpointer.issue()).note).toBe(cp.note); // nothing new: the same checkpoint
    await checkpointer.issue({ force: true });
    const all = await reader.checkpoints();
    expect(all.filter((c) => c.size === head.size)).toHaveLength(2);
    expect((await get("/v1/ledger/checkpoints")).body.checkpoints).toHaveLength(all.length);
  });

  it("serves pages of raw entries and every public key", async () => {
    const page = await get("/v1/ledger/entries?from=1&limit=3");
    expect(page.status).toBe(200);
    expect(page.body.entries.map((e: any) => e.index)).toEqual([1, 2, 3]);
    expect(page.body.next).toBe(4);
    const size = (await ctx.ledger.reader.head()).size;
    expect((await get(`/v1/ledger/entries?from=${size - 1}&limit=1000`)).body).toMatchObject({ size, next: null });
    const keys = (await get("/v1/ledger/keys")).body;
    expect(keys.checkpoint.map((k: any) => k.vkey)).toContain(ctx.checkpointVkey);
    expect(keys.event.map((k: any) => k.kid)).toContain(ctx.ledger.keyring.event.kid);
  });

  it("answers bad proof and entry requests with 400 naming the field, unknown entries with 404", async () => {
    const size = (await ctx.ledger.reader.head()).size;
    const cases: Array<[string, string]> = [
      [`/v1/ledger/proofs/inclusion?index=${size}&size=${size}`, "index"],
      [`/v1/ledger/proofs/inclusion?index=0&size=${size + 1}`, "size"],
      ["/v1/ledger/proofs/inclusion?index=1.5&size=4", "index"],
      ["/v1/ledger/proofs/inclusion?index=-1&size=4", "index"],
      ["/v1/ledger/proofs/inclusion?index=0&size=abc", "size"],
      ["/v1/ledger/proofs/inclusion?index=0", "size"],
      ["/v1/ledger/proofs/inclusion?index=0&size=0", "size"],
      ["/v1/ledger/proofs/consistency?from=5&to=3", "from"],
      [`/v1/ledger/proofs/consistency?from=1&to=${size + 1}`, "to"],
      ["/v1/ledger/proofs/consistency?from=0&to=3", "from"],
      ["/v1/ledger/proofs/consistency?from=1e2&to=300", "from"],
      ["/v1/ledger/proofs/consistency?from=2&to=-3", "to"],
      ["/v1/ledger/entries/-1", "index"],
      ["/v1/ledger/entries/0x10", "index"],
      ["/v1/ledger/entries?from=0&limit=0", "limit"],
      ["/v1/ledger/entries?from=0&limit=5000", "limit"],
      ["/v1/ledger/entries?from=x", "from"],
    ];
    for (const [path, field] of cases) {
      const { status, body } = await get(path, `${field} is out of range or not an index`);
      expect({ path, status }).toEqual({ path, status: 400 });
      expect(body.error).toMatchObject({ field });
      expect(typeof body.error.code).toBe("string");
      expect(typeof body.error.message).toBe("string");
    }
    const missing = await get(`/v1/ledger/entries/${size + 10}`);
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe("not_found");
    expect((await get(`/v1/ledger/proofs/inclusion?index=${size - 1}&size=${size}`)).status).toBe(200);
  });

  it.runIf(kind === "postgres")("two writer processes on one database never fork the tree", async () => {
    const [w1, w2] = [
      await openTestLedger(cfg, { poolSize: 4, migrate: false }),
      await openTestLedger(cfg, { poolSize: 4, migrate: false }),
    ];
    try {
      const base = (await ctx.ledger.reader.head()).size;
      const all = await Promise.all(
        Array.from({ length: 300 }, (_, i) => itemAt([w1, w2, ctx], i % 3, "writers").ledger.writer.append(testEvent(i))),
      );
      expect(all.map((r) => r.index).sort((a, b) => a - b)).toEqual(Array.from({ length: 300 }, (_, i) => base + i));
      await w1.ledger.checkpointer.issue({ force: true });
      await w2.ledger.checkpointer.issue({ force: true });
      expect(await verifyStoredLog(ctx)).toMatchObject({ ok: true, size: base + 300 });
    } finally {
      await w1.close();
      await w2.close();
    }
  });

  // Last: it takes the database away.
  it("fails closed: with the database gone, append rejects with ledger_unavailable", async () => {
    if (kind === "postgres") {
      const name = new URL(cfg.databaseUrl as string).pathname.slice(1);
      const admin = new pg.Client({ connectionString: process.env.DATABASE_URL });
      await admin.connect();
      try {
        await admin.query(`alter database ${name} with allow_connections false`);
        await admin.query("select pg_terminate_backend(pid) from pg_stat_activity where datname = $1", [name]);
        await expect(ctx.ledger.writer.append(testEvent(1))).rejects.toMatchObject({ code: "ledger_unavailable" });
        // and it recovers once the database is back, without forking
        await admin.query(`alter database ${name} with allow_connections true`);
        const after = await ctx.ledger.writer.append(testEvent(2));
        expect(after.index).toBe((await ctx.ledger.reader.head()).size - 1);
        expect(await verifyStoredLog(ctx)).toMatchObject({ ok: true });
      } finally {
        await admin.query(`alter database ${name} with allow_connections true`).catch(() => {});
        await admin.end();
      }
    } else {
      await ctx.store.close();
      await expect(ctx.ledger.writer.append(testEvent(1))).rejects.toMatchObject({ code: "ledger_unavailable" });
    }
  });
});

function toB64(b: Uint8Array): string {
  return Buffer.from(b).toString("base64");
}
