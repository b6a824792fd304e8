// Tamper evidence: corrupt a real ledger in the database, then `maestro ledger verify` (the real CLI) must exit 1 and locate it.
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { signCheckpoint } from "../../ledger/core/index.ts";
import { createTestStore, STORE_KINDS, type TestStoreConfig } from "../support/test-stores.ts";
import { ORIGIN, openTestLedger, runCli, testEvent, withDb } from "./ledger-fixture.ts";

// Each case spawns the real CLI (a fresh Node process that loads the store): slow on a loaded 2-core machine.
vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

const SIZE = 12;

describe.each(STORE_KINDS)("maestro ledger verify finds tampering (%s store)", (kind) => {
  let cfg: TestStoreConfig;
  let checkpointKey: Parameters<typeof signCheckpoint>[1];

  beforeAll(async () => {
    cfg = await createTestStore(kind);
    const t = await openTestLedger(cfg);
    try {
      // One event per append and a checkpoint after each, so a reordering is located to the entry.
      for (let i = 0; i < SIZE; i++) {
        await t.ledger.writer.append(testEvent(i));
        await t.ledger.checkpointer.issue();
      }
      checkpointKey = { name: ORIGIN, privateKey: t.ledger.keyring.checkpoint.privateKey };
    } finally {
      await t.close(); // the embedded store admits one process: the CLI below opens it itself
    }
  });
  afterAll(async () => cfg?.cleanup());

  const verify = async () => {
    const run = await runCli(["ledger", "verify", "--json"], cfg);
    if (run.json === undefined) throw new Error(`no JSON from the CLI: ${run.stderr}`);
    return run;
  };

  /** Applies a corruption, runs verify, then undoes it and checks the log verifies again. */
  async function tampered(corrupt: (db: any) => Promise<(db: any) => Promise<void>>) {
    const undo = await withDb(cfg, corrupt);
    const run = await verify();
    await withDb(cfg, undo);
    return run;
  }

  it("passes the untouched log and says so with exit 0", async () => {
    const run = await verify();
    expect(run.code).toBe(0);
    expect(run.json).toMatchObject({ ok: true, size: SIZE, checkpoints: SIZE });
    const plain = await runCli(["ledger", "verify"], cfg);
    expect(plain.code).toBe(0);
    expect(plain.stdout).toMatch(/ledger verified: 12 entries/);
  });

  it("one byte of a stored event's canonical bytes", async () => {
    const run = await tampered(async (db) => {
      await sql`update ledger_entries set canonical = set_byte(canonical, 20, get_byte(canonical, 20) # 1) where idx = 4`.execute(db);
      return async (db) =>
        void (await sql`update ledger_entries set canonical = set_byte(canonical, 20, get_byte(canonical, 20) # 1) where idx = 4`.execute(
          db,
        ));
    });
    expect(run.code).toBe(1);
    expect(run.json).toMatchObject({ ok: false, index: 4, part: "canonical" });
    expect((await verify()).code).toBe(0);
  });

  it("one byte of a leaf hash", async () => {
    const run = await tampered(async (db) => {
      await sql`update ledger_entries set leaf_hash = set_byte(leaf_hash, 31, get_byte(leaf_hash, 31) # 128) where idx = 5`.execute(db);
      return async (db) =>
        void (await sql`update ledger_entries set leaf_hash = set_byte(leaf_hash, 31, get_byte(leaf_hash, 31) # 128) where idx = 5`.execute(
          db,
        ));
    });
    expect(run).toMatchObject({ code: 1, json: { ok: false, index: 5, part: "leaf_hash" } });
  });

  it("one character of a signature", async () => {
    const run = await tampered(async (db) => {
      const { signature } = await db.selectFrom("ledger_entries").select("signature").where("idx", "=", 6).executeTakeFirstOrThrow();
      const at = signature.length - 30;
      const bad = signature.slice(0, at) + (signature[at] === "Q" ? "R" : "Q") + signature.slice(at + 1);
      await db.updateTable("ledger_entries").set({ signature: bad }).where("idx", "=", 6).execute();
      return async (db) => void (await db.updateTable("ledger_entries").set({ signature }).where("idx", "=", 6).execute());
    });
    expect(run).toMatchObject({ code: 1, json: { ok: false, index: 6, part: "signature" } });
  });

  it("one byte of a stored checkpoint note", async () => {
    const run = await tampered(async (db) => {
      const row = await db.selectFrom("ledger_checkpoints").select(["id", "note"]).where("size", "=", 7).executeTakeFirstOrThrow();
      const at = row.note.indexOf("\n", row.note.indexOf("\n") + 1) + 5; // inside the root hash line
      const bad = row.note.slice(0, at) + (row.note[at] === "A" ? "B" : "A") + row.note.slice(at + 1);
      await db.updateTable("ledger_checkpoints").set({ note: bad }).where("id", "=", row.id).execute();
      return async (db) => void (await db.updateTable("ledger_checkpoints").set({ note: row.note }).where("id", "=", row.id).execute());
    });
    expect(run.code).toBe(1);
    expect(run.json).toMatchObject({ ok: false, part: "checkpoint" });
    expect(run.json.reason).toMatch(/does not verify/);
  });

  it("a deleted row", async () => {
    const run = await tampered(async (db) => {
      const row = await db.selectFrom("ledger_entries").selectAll().where("idx", "=", 7).executeTakeFirstOrThrow();
      await db.deleteFrom("ledger_entries").where("idx", "=", 7).execute();
      return async (db) => void (await db.insertInto("ledger_entries").values(row).execute());
    });
    expect(run).toMatchObject({ code: 1, json: { ok: false, index: 7, part: "order" } });
  });

  it("the last row deleted (a truncated log)", async () => {
    const run = await tampered(async (db) => {
      const row = await db
        .selectFrom("ledger_entries")
        .selectAll()
        .where("idx", "=", SIZE - 1)
        .executeTakeFirstOrThrow();
      await db
        .deleteFrom("ledger_entries")
        .where("idx", "=", SIZE - 1)
        .execute();
      return async (db) => void (await db.insertInto("ledger_entries").values(row).execute());
    });
    expect(run).toMatchObject({ code: 1, json: { ok: false, index: SIZE - 1, part: "order" } });
  });

  it("two rows' indexes swapped", async () => {
    const swap = async (db: any) => {
      await db.updateTable("ledger_entries").set({ idx: -1 }).where("idx", "=", 3).execute();
      await db.updateTable("ledger_entries").set({ idx: 3 }).where("idx", "=", 8).execute();
      await db.updateTable("ledger_entries").set({ idx: 8 }).where("idx", "=", -1).execute();
    };
    const run = await tampered(async (db) => {
      await swap(db);
      return swap;
    });
    expect(run).toMatchObject({ code: 1, json: { ok: false, index: 3, part: "checkpoint", checkpoint: { size: 4 } } });
  });

  it("a second validly signed checkpoint for one size with another root (a fork)", async () => {
    const run = await tampered(async (db) => {
      const other = await db.selectFrom("ledger_checkpoints").select("root").where("size", "=", 5).executeTakeFirstOrThrow();
      const note = signCheckpoint({ origin: ORIGIN, size: 6, rootHash: new Uint8Array(other.root) }, checkpointKey);
      const { id } = await db
        .insertInto("ledger_checkpoints")
        .values({ size: 6, root: other.root, note })
        .returning("id")
        .executeTakeFirstOrThrow();
      return async (db) => void (await db.deleteFrom("ledger_checkpoints").where("id", "=", id).execute());
    });
    expect(run).toMatchObject({ code: 1, json: { ok: false, part: "checkpoint", checkpoint: { size: 6 } } });
    expect(run.json.reason).toMatch(/fork/);
  });

  it("a stored interior node that served proofs use (found through the consistency proofs)", async () => {
    const run = await tampered(async (db) => {
      await sql`update ledger_nodes set hash = set_byte(hash, 0, get_byte(hash, 0) # 1) where level = 2 and idx = 0`.execute(db);
      return async (db) =>
        void (await sql`update ledger_nodes set hash = set_byte(hash, 0, get_byte(hash, 0) # 1) where level = 2 and idx = 0`.execute(db));
    });
    expect(run).toMatchObject({ code: 1, json: { ok: false, part: "consistency" } });
  });

  it("any stored interior node, even one no served proof touches, by checking every level against the one below", async () => {
    const flip = sql`update ledger_nodes set hash = set_byte(hash, 0, get_byte(hash, 0) # 1) where level = 2 and idx = 1`;
    const run = await tampered(async (db) => {
      await flip.execute(db);
      return async (db) => void (await flip.execute(db));
    });
    expect(run).toMatchObject({ code: 1, json: { ok: false, part: "node", index: 4 } });
    expect(run.json.reason).toMatch(/level 2, index 1/);
  });

  // Columns stored beside signed text, which the reader and the server use without opening that text.
  const columnEdits: Array<[string, string, string, (db: any) => Promise<(db: any) => Promise<void>>]> = [
    [
      "ledger_entries",
      "event_id",
      "idx=3",
      async (db) => setColumn(db, "ledger_entries", "idx", 3, "event_id", "00000000-0000-4000-8000-000000000000"),
    ],
    ["ledger_entries", "kind", "idx=4", async (db) => setColumn(db, "ledger_entries", "idx", 4, "kind", "outcome")],
    ["ledger_entries", "subject", "idx=5", async (db) => setColumn(db, "ledger_entries", "idx", 5, "subject", "test:d-0")],
    [
      "ledger_checkpoints",
      "size",
      "",
      async (db) => setColumn(db, "ledger_checkpoints", "id", await idOf(db, "ledger_checkpoints", "id", "size", 9), "size", 10),
    ],
    [
      "ledger_checkpoints",
      "root",
      "",
      async (db) =>
        setColumn(db, "ledger_checkpoints", "id", await idOf(db, "ledger_checkpoints", "id", "size", 9), "root", new Uint8Array(32)),
    ],
    [
      "signing_keys",
      "kid",
      "",
      async (db) => setColumn(db, "signing_keys", "kid", await idOf(db, "signing_keys", "kid", "purpose", "event"), "kid", "another-kid"),
    ],
  ];

  it.each(columnEdits)("a changed %s.%s is named with its stored and expected value", async (table, column, key, corrupt) => {
    const run = await tampered(corrupt);
    expect(run.code).toBe(1);
    expect(run.json).toMatchObject({ ok: false, part: "column", row: { table, column } });
    if (key) expect(run.json.row.key).toBe(key);
    expect(run.json.row.stored).not.toBe(run.json.row.expected);
  });

  it("says table, row, column, stored and expected in the human-readable output", async () => {
    const undo = await withDb(cfg, (db) => setColumn(db, "ledger_entries", "idx", 4, "kind", "outcome"));
    const plain = await runCli(["ledger", "verify", "--quiet"], cfg);
    await withDb(cfg, undo);
    expect(plain.code).toBe(1);
    expect(plain.stdout).toMatch(/FAILED at ledger_entries idx=4, column kind \(stored "outcome", expected "test.entry"\)/);
  });

  it("names the first bad index in the human-readable output", async () => {
    const run = await tampered(async (db) => {
      await db.deleteFrom("ledger_checkpoints").where("size", "=", 2).execute();
      const row = await db.selectFrom("ledger_entries").selectAll().where("idx", "=", 2).executeTakeFirstOrThrow();
      await db.deleteFrom("ledger_entries").where("idx", "=", 2).execute();
      return async (db) => {
        await db.insertInto("ledger_entries").values(row).execute();
      };
    });
    // The size-2 checkpoint stays deleted: verify still passes without it (checkpoints are anchors, not required).
    expect(run.code).toBe(1);
    expect(run.json).toMatchObject({ index: 2, part: "order" });
    const plain = await runCli(["ledger", "verify", "--quiet"], cfg);
    expect(plain.code).toBe(0);
  });
});

/** The key of the one row where `column = value`. */
async function idOf(db: any, table: string, key: string, column: string, value: unknown) {
  const rows = await db.selectFrom(table).select(key).where(column, "=", value).execute();
  if (rows.length !== 1) throw new Error(`expected one ${table} row with ${column} = ${String(value)}, found ${rows.length}`);
  return rows[0][key];
}

/** Sets one column of the row whose primary key `pk` is `id`, returning the undo. */
async function setColumn(db: any, table: string, pk: string, id: unknown, column: string, to: unknown) {
  const before = await db.selectFrom(table).select(column).where(pk, "=", id).executeTakeFirstOrThrow();
  await db
    .updateTable(table)
    .set({ [column]: to })
    .where(pk, "=", id)
    .execute();
  const idAfter = pk === column ? to : id;
  return async (db: any) =>
    void (await db
      .updateTable(table)
      .set({ [column]: before[column] })
      .where(pk, "=", idAfter)
      .execute());
}
