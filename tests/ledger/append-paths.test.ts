// The writer's two commit paths on both stores: one guarded statement when it knows the head, the locking
// transaction when it does not (first batch, another writer appended, per-append domain writes). Either way the
// indexes stay dense and the tree verifies.
import { sql } from "kysely";
import { MaestroError } from "../../common/errors.ts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventSigner } from "../../ledger/append/event-signer.ts";
import { LedgerWriter } from "../../ledger/append/ledger-writer.ts";
import { loadKeyring } from "../../ledger/keys/keyring.ts";
import { verifyLog } from "../../ledger/verify/index.ts";
import { canonicalBytes } from "../../ledger/event/envelope.ts";
import { leafHash } from "../../ledger/core/index.ts";
import { itemAt } from "../../common/present.ts";
import { createTestStore, STORE_KINDS, type TestStoreConfig } from "../support/test-stores.ts";
import { openTestLedger, type OpenTestLedger, testEvent } from "./ledger-fixture.ts";

describe.each(STORE_KINDS)("ledger writer commit paths (%s)", (kind) => {
  let cfg: TestStoreConfig;
  let t: OpenTestLedger;
  let other: LedgerWriter;

  beforeAll(async () => {
    cfg = await createTestStore(kind);
    t = await openTestLedger(cfg);
    // A second writer on the same database stands in for another server process.
    other = new LedgerWriter(t.db, eventSigner((await loadKeyring(cfg.dataDir)).event));
  });
  afterAll(async () => {
    await t?.close().catch(() => {});
    await cfg?.cleanup();
  });

  it("uses one statement once it knows the head, and falls back to the lock when another writer moved it", async () => {
    const writer = t.ledger.writer;
    const first = await writer.append(testEvent(0));
    expect(writer.batches).toEqual({ oneStatement: 0, locked: 1 }); // nothing cached yet: lock and load
    await writer.append(testEvent(1));
    expect(writer.batches).toEqual({ oneStatement: 1, locked: 1 });

    const elsewhere = await other.append(testEvent(2)); // the head moves under `writer`'s cached frontier
    const afterMove = await writer.append(testEvent(3));
    expect(writer.batches).toEqual({ oneStatement: 1, locked: 2 }); // the guard matched nothing, so it relocked
    await Promise.all(Array.from({ length: 50 }, (_, i) => writer.append(testEvent(10 + i))));
    expect(writer.batches.locked).toBe(2);

    expect([first.index, elsewhere.index, afterMove.index]).toEqual([0, 2, 3]);
    const head = await t.ledger.reader.head();
    expect(head.size).toBe(54);
    const entries = await t.ledger.reader.rawEntries(0, 100);
    expect(entries.map((e) => e.index)).toEqual(Array.from({ length: 54 }, (_, i) => i));
    await t.ledger.checkpointer.issue({ force: true });
    const result = await verifyLog({
      entries,
      checkpoints: (await t.ledger.reader.checkpoints()).map((c) => c.note),
      eventKeys: [t.ledger.keyring.event.publicJwk],
      checkpointKeys: (await t.ledger.reader.publicKeys("checkpoint")).map((r) => r.vkey as string),
      head,
      workers: 0,
    });
    expect(result, JSON.stringify(result)).toMatchObject({ ok: true, size: 54 });
  });

  it("stores each event's exact canonical bytes, whatever its strings and keys hold", async () => {
    const before = t.ledger.writer.batches.oneStatement;
    const awkward = [
      'quote " backslash \\ slash /',
      "tab\t newline\n nul \u0000 bell \u0007",
      "é ü ß 中文 \u2028",
      "\ud83d\ude00 \u{10ffff}",
      "\\x41 looks like hex",
    ];
    const appended = await Promise.all(
      awkward.map((text, i) =>
        t.ledger.writer.append({ kind: "test.awkward", actor: { type: "service", id: "test" }, payload: { text, [`k\\${i}"`]: [text] } }),
      ),
    );
    // They went through the one-statement path (the test before this one left the head known).
    expect(t.ledger.writer.batches.oneStatement).toBeGreaterThan(before);
    const stored = await t.ledger.reader.rawEntries(itemAt(appended, 0, "appended").index, appended.length);
    stored.forEach((row, i) => {
      const sent = itemAt(appended, i, "appended");
      expect(Buffer.from(row.canonical).equals(Buffer.from(canonicalBytes(sent.event)))).toBe(true);
      expect(JSON.parse(Buffer.from(row.canonical).toString("utf8")).payload.text).toBe(awkward[i]);
      expect(Buffer.from(leafHash(row.canonical)).equals(Buffer.from(sent.leafHash))).toBe(true);
    });
  });

  it("appends made in one turn of the event loop share one commit", async () => {
    const writer = t.ledger.writer;
    await writer.append(testEvent(300)); // the head is known
    const before = writer.batches;
    const appended = await Promise.all(Array.from({ length: 20 }, (_, i) => writer.append(testEvent(301 + i))));
    expect(writer.batches).toEqual({ ...before, oneStatement: before.oneStatement + 1 });
    const first = itemAt(appended, 0, "appended").index;
    expect(appended.map((a) => a.index)).toEqual(Array.from({ length: 20 }, (_, i) => first + i));
  });

  it("appendAll: a group gets consecutive indexes in one commit, and a failing domain write rejects all of it", async () => {
    const writer = t.ledger.writer;
    await writer.append(testEvent(400));
    const before = writer.batches;
    // Lone appends around the group in the same turn: the group still lands contiguous and whole.
    const [lone1, group, lone2] = await Promise.all([
      writer.append(testEvent(401)),
      writer.appendAll([0, 1, 2].map((k) => ({ input: testEvent(410 + k), options: { apply: async () => {} } }))),
      writer.append(testEvent(402)),
    ]);
    const first = itemAt(group, 0, "group").index;
    expect(group.map((g) => g.index)).toEqual([first, first + 1, first + 2]);
    expect([lone1.index, lone2.index].every((i) => i < first || i > itemAt(group, 2, "group").index)).toBe(true);
    expect(writer.batches.locked + writer.batches.oneStatement).toBe(before.locked + before.oneStatement + 1);

    const size = (await t.ledger.reader.head()).size;
    const refused = new MaestroError("conflict", "second step refused");
    const failing = writer.appendAll([
      { input: testEvent(420), options: { apply: async () => {} } },
      { input: testEvent(421), options: { apply: async () => Promise.reject(refused) } },
    ]);
    const bystander = writer.append(testEvent(422));
    await expect(failing).rejects.toBe(refused);
    expect((await bystander).index).toBe(size); // the group left no entry and no gap
    expect((await t.ledger.reader.head()).size).toBe(size + 1);
  });

  it("commits the batch update and projection rows in the one statement, and nothing when the guard fails", async () => {
    await sql`create table if not exists append_probe (id text primary key, n integer not null default 7, raw bytea)`.execute(t.db);
    await sql`create table if not exists append_version (id integer primary key, version integer not null)`.execute(t.db);
    await sql`insert into append_version values (1, 0) on conflict do nothing`.execute(t.db);
    const writer = new LedgerWriter(t.db, eventSigner((await loadKeyring(cfg.dataDir)).event), {
      batchUpdate: {
        when: (events) => events.some((e) => e.kind === "probe.bump"),
        statement: sql`update append_version set version = version + 1 where id = 1`,
      },
    });
    const probe = (i: number, kind = "decision") =>
      writer.append(
        { ...testEvent(100 + i), kind },
        { rows: (index) => [{ table: "append_probe", values: { id: `p-${i}`, n: index, raw: Buffer.from([0, 255, i]) } }] },
      );
    await probe(0); // locked: loads the head
    const bumped = await probe(1, "probe.bump");
    expect(writer.batches).toEqual({ oneStatement: 1, locked: 1 });
    const rows = await sql<{ id: string; n: string | number; raw: Uint8Array }>`select id, n, raw from append_probe order by id`.execute(
      t.db,
    );
    expect(rows.rows.map((r) => [r.id, Number(r.n), [...r.raw]])).toEqual([
      ["p-0", bumped.index - 1, [0, 255, 0]],
      ["p-1", bumped.index, [0, 255, 1]],
    ]);
    const version = await sql<{ version: number }>`select version from append_version where id = 1`.execute(t.db);
    expect(Number(itemAt(version.rows, 0, "append_version rows").version)).toBe(1);

    // Rows of one table naming different columns, in one statement: each keeps its table's default for what it leaves out.
    const batchesBefore = writer.batches;
    await Promise.all([
      writer.append(testEvent(150), { rows: () => [{ table: "append_probe", values: { id: "p-a" } }] }),
      writer.append(testEvent(151), { rows: () => [{ table: "append_probe", values: { id: "p-b", n: 2, raw: Buffer.from([7]) } }] }),
    ]);
    expect(writer.batches).toEqual({ ...batchesBefore, oneStatement: batchesBefore.oneStatement + 1 });
    const mixed = await sql<{
      id: string;
      n: number;
      raw: Uint8Array | null;
    }>`select id, n, raw from append_probe where id in ('p-a', 'p-b') order by id`.execute(t.db);
    expect(mixed.rows.map((r) => [r.id, Number(r.n), r.raw ? [...r.raw] : null])).toEqual([
      ["p-a", 7, null],
      ["p-b", 2, [7]],
    ]);

    // A projection row that violates its table (duplicate id) fails the whole statement: no entry, no head move.
    const before = (await t.ledger.reader.head()).size;
    await expect(
      writer.append(testEvent(200), { rows: () => [{ table: "append_probe", values: { id: "p-0", n: 0 } }] }),
    ).rejects.toMatchObject({
      code: "ledger_unavailable",
    });
    expect((await t.ledger.reader.head()).size).toBe(before);
    expect((await writer.append(testEvent(201))).index).toBe(before);
  });

  it("batches of one shape reuse the statement's text and bind their own values (rows, head guard, batch update)", async () => {
    // Runs after the test above, which made the probe tables and knows the head.
    await sql`delete from append_probe`.execute(t.db);
    await sql`update append_version set version = 0 where id = 1`.execute(t.db);
    const writer = new LedgerWriter(t.db, eventSigner((await loadKeyring(cfg.dataDir)).event), {
      batchUpdate: {
        when: (events) => events.some((e) => e.kind === "probe.bump"),
        statement: sql`update append_version set version = version + 1 where id = 1`,
      },
    });
    const appended: number[] = [];
    for (let i = 0; i < 6; i++) {
      // The same columns, listed in two orders: one group, one shape.
      const values = i % 2 === 0 ? { id: `s-${i}`, n: i * 10, raw: Buffer.from([i]) } : { raw: Buffer.from([i]), n: i * 10, id: `s-${i}` };
      const entry = await writer.append(
        { ...testEvent(300 + i), kind: i < 4 ? "probe.bump" : "decision" },
        { rows: () => [{ table: "append_probe", values }] },
      );
      appended.push(entry.index);
    }
    expect(writer.batches.oneStatement).toBeGreaterThanOrEqual(5);
    const first = itemAt(appended, 0, "appended");
    expect(appended).toEqual(appended.map((_, i) => first + i));
    const rows = await sql<{ id: string; n: number; raw: Uint8Array }>`select id, n, raw from append_probe order by id`.execute(t.db);
    expect(rows.rows.map((r) => [r.id, Number(r.n), [...r.raw]])).toEqual(Array.from({ length: 6 }, (_, i) => [`s-${i}`, i * 10, [i]]));
    const version = await sql<{ version: number }>`select version from append_version where id = 1`.execute(t.db);
    expect(Number(itemAt(version.rows, 0, "append_version rows").version)).toBe(4); // the update ran with each of the four probe.bump batches only
    const head = await t.ledger.reader.head();
    expect(head.size).toBe(appended.at(-1)! + 1);
    const entries = await t.ledger.reader.rawEntries(first, 6);
    expect(entries.map((e) => e.index)).toEqual(appended);
  });
});
