// Never sign a fork: a stored head that is behind, edited or inconsistent with the newest signed checkpoint stops
// appends and checkpoints (503 ledger_inconsistent), at start and before each checkpoint, on both stores.
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { configFromEnv, createApp, composeServer, issueToken, type Services } from "../../server/index.ts";
import { createTestStore, STORE_KINDS, type TestStoreConfig } from "../support/test-stores.ts";
import { ORIGIN, testEvent, withDb } from "./ledger-fixture.ts";
import { itemAt } from "../../common/present.ts";

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

// Checkpoint at 10, head at 12: the consistency proof 10 → 12 is [L1#5, L1#4] (RFC 9162 §2.1.4.1), the head's peaks L3#0, L2#2.
const SIGNED = 10;
const SIZE = 12;

interface Opened {
  ctx: Services;
  logged: Array<Record<string, unknown>>;
  /** POST as admin: a write that must append or sign. */
  post(path: string, body?: unknown): Promise<{ status: number; body: any }>;
}

describe.each(STORE_KINDS)("fork refusal (%s store)", (kind) => {
  let cfg: TestStoreConfig;
  const open: Services[] = [];

  async function start(): Promise<Opened> {
    const logged: Array<Record<string, unknown>> = [];
    const spy = vi.spyOn(console, "error").mockImplementation((line: unknown) => {
      try {
        logged.push(JSON.parse(String(line)));
      } catch {
        logged.push({ raw: String(line) });
      }
    });
    let ctx: Services;
    try {
      ctx = await composeServer(configFromEnv({ dataDir: cfg.dataDir, databaseUrl: cfg.databaseUrl, origin: ORIGIN }, {}));
    } finally {
      spy.mockRestore();
    }
    open.push(ctx);
    const app = createApp(ctx);
    const key = ctx.ledger.keyring.token;
    const admin = await issueToken({ kid: key.kid, privateKey: key.privateKey }, "admin", "admin-1", 3600);
    return {
      ctx,
      logged,
      async post(path, body) {
        const res = await app.request(path, {
          method: "POST",
          headers: { authorization: `Bearer ${admin}`, "content-type": "application/json" },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
        return { status: res.status, body: await res.json() };
      },
    };
  }

  async function stop(o: Opened): Promise<void> {
    await o.ctx.close();
    open.splice(open.indexOf(o.ctx), 1);
  }

  const checkpointCount = () =>
    withDb(cfg, async (db) =>
      Number(itemAt((await sql<{ n: number }>`select count(*)::int as n from ledger_checkpoints`.execute(db)).rows, 0, "count rows").n),
    );

  /** Flips one bit of a stored interior node; returns the undo. */
  async function flipNode(level: number, idx: number) {
    const flip = sql`update ledger_nodes set hash = set_byte(hash, 0, get_byte(hash, 0) # 1) where level = ${level} and idx = ${idx}`;
    await withDb(cfg, (db) => flip.execute(db));
    return () => withDb(cfg, (db) => flip.execute(db));
  }

  async function expectRefusedAtStart(problem: RegExp): Promise<void> {
    const before = await checkpointCount();
    const o = await start();
    try {
      expect(o.logged).toContainEqual(
        expect.objectContaining({
          level: "error",
          msg: "ledger writes refused",
          code: "ledger_inconsistent",
          problem: expect.stringMatching(problem),
        }),
      );
      await expect(o.ctx.ledger.writer.append(testEvent(99))).rejects.toMatchObject({ code: "ledger_inconsistent", status: 503 });
      const res = await o.post("/v1/ledger/checkpoint");
      expect(res.status).toBe(503);
      expect(res.body.error.code).toBe("ledger_inconsistent");
      expect(res.body.error.message).toMatch(problem);
      expect(res.body.error.message).toContain("maestro ledger verify");
      // Reads still serve, so the operator and auditors can look.
      expect((await o.ctx.ledger.reader.head()).size).toBeLessThanOrEqual(SIZE);
    } finally {
      await stop(o);
    }
    expect(await checkpointCount()).toBe(before);
  }

  beforeAll(async () => {
    cfg = await createTestStore(kind);
    const o = await start();
    // The first start ledgered its policy activation: fill up to the sizes the cases name.
    const fillTo = async (n: number) => {
      for (let i = (await o.ctx.ledger.reader.head()).size; i < n; i++) await o.ctx.ledger.writer.append(testEvent(i));
    };
    await fillTo(SIGNED);
    await o.ctx.ledger.checkpointer.issue();
    await fillTo(SIZE);
    await stop(o);
  });
  afterAll(async () => {
    for (const ctx of open) await ctx.close().catch(() => {});
    await cfg?.cleanup();
  });

  it("an untouched log opens, appends and signs", async () => {
    const o = await start();
    try {
      expect(o.ctx.ledger.fence.refusal).toBeNull();
      expect(o.logged.filter((l) => l.level !== "info")).toEqual([]);
      const res = await o.post("/v1/ledger/checkpoint");
      expect(res.status).toBe(200);
    } finally {
      await stop(o);
    }
    // Leave the newest checkpoint at SIGNED again for the cases below.
    await withDb(cfg, (db) => sql`delete from ledger_checkpoints where size = ${SIZE}`.execute(db));
  });

  it("head size edited down: refused before each checkpoint while running, and at start", async () => {
    const o = await start();
    const down = sql`update ledger_head set size = ${SIGNED - 3} where id = 1`;
    const undo = sql`update ledger_head set size = ${SIZE} where id = 1`;
    try {
      await down.execute(o.ctx.db);
      const before = await checkpointCount();
      await expect(o.ctx.ledger.checkpointer.issue({ force: true })).rejects.toMatchObject({
        code: "ledger_inconsistent",
        message: expect.stringMatching(/behind the newest signed checkpoint at size 10/),
      });
      expect(await checkpointCount()).toBe(before);
      // The fence is shared: appends stop too, even with the head put back, until a restart checks again.
      await undo.execute(o.ctx.db);
      await expect(o.ctx.ledger.writer.append(testEvent(99))).rejects.toMatchObject({ code: "ledger_inconsistent" });
    } finally {
      await stop(o);
    }
    await withDb(cfg, (db) => down.execute(db));
    await expectRefusedAtStart(/head is at size 7, behind the newest signed checkpoint at size 10/);
    // Edited to a size past the checkpoint, the stored peaks no longer give the head's root.
    await withDb(cfg, (db) => sql`update ledger_head set size = ${SIZE - 1} where id = 1`.execute(db));
    await expectRefusedAtStart(/stored subtree hashes give root .* at size 11, but ledger_head says/);
    await withDb(cfg, (db) => undo.execute(db));
  });

  it("one stored subtree hash altered: a peak of the head, or a node of the proof to the checkpoint", async () => {
    let undo = await flipNode(2, 2);
    await expectRefusedAtStart(/stored subtree hashes give root .* at size 12/);
    await undo();
    undo = await flipNode(1, 4);
    await expectRefusedAtStart(/not consistent with the signed checkpoint at size 10/);
    await undo();
  });

  it("an edited checkpoint row is refused (its columns no longer match its signed note)", async () => {
    const edit = sql`update ledger_checkpoints set size = 3 where size = ${SIGNED}`;
    await withDb(cfg, (db) => edit.execute(db));
    await expectRefusedAtStart(/ledger_checkpoints row \d+ says size 3, but its signed note says size 10/);
    await withDb(cfg, (db) => sql`update ledger_checkpoints set size = ${SIGNED} where size = 3`.execute(db));
  });

  it("log rewound with the newer checkpoint kept: refused, and no index is reused", async () => {
    // Rewind to size 8 the way a restore of an older backup would: entries, nodes and head of size 8, checkpoint 10
    // kept; under a running process, whose next append finds the head went back.
    const o = await start();
    try {
      await o.ctx.ledger.writer.append(testEvent(SIZE)); // this process now knows the head at SIZE + 1
      await sql`delete from ledger_entries where idx >= 8`.execute(o.ctx.db);
      await sql`delete from ledger_nodes where idx * (1 << level) >= 8`.execute(o.ctx.db);
      await sql`update ledger_head set size = 8, root = (select hash from ledger_nodes where level = 3 and idx = 0) where id = 1`.execute(
        o.ctx.db,
      );
      await expect(o.ctx.ledger.writer.append(testEvent(98))).rejects.toMatchObject({
        code: "ledger_inconsistent",
        message: expect.stringMatching(/head went back from size 13 to 8/),
      });
    } finally {
      await stop(o);
    }
    await expectRefusedAtStart(/head is at size 8, behind the newest signed checkpoint at size 10/);
    const max = await withDb(
      cfg,
      async (db) =>
        itemAt((await sql<{ n: number | null }>`select max(idx)::int as n from ledger_entries`.execute(db)).rows, 0, "max rows").n,
    );
    expect(max).toBe(7);
  });
});
