// The embedded store's COPY read path (Store.copyOut) gives the verifier the same rows as the driver, and every check
// still runs on them: a tampered row read this way is caught and located as on the driver's path.
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { LedgerReader } from "../../ledger/read/ledger-reader.ts";
import { verifyLog } from "../../ledger/verify/index.ts";
import { createTestStore, STORE_KINDS, type TestStoreConfig } from "../support/test-stores.ts";
import { type OpenTestLedger, openTestLedger, testEvent } from "./ledger-fixture.ts";
import { itemAt } from "../../common/present.ts";

// Appending and verifying on a loaded 2-core machine is slow; the checks themselves are quick.
vi.setConfig({ testTimeout: 120_000, hookTimeout: 180_000 });

const SIZE = 37; // not a power of two: the last subtrees of each level are partial

describe.each(STORE_KINDS)("whole-log reads through COPY (%s store)", (kind) => {
  let cfg: TestStoreConfig;
  let t: OpenTestLedger;

  beforeAll(async () => {
    cfg = await createTestStore(kind);
    t = await openTestLedger(cfg);
    for (let i = 0; i < SIZE; i++) {
      // Every fifth event without a subject, so a NULL column is read too.
      const { subject, ...noSubject } = testEvent(i);
      await t.ledger.writer.append(i % 5 === 0 ? noSubject : { ...noSubject, subject });
    }
    await t.ledger.checkpointer.issue();
  });
  afterAll(async () => {
    await t?.close();
    await cfg?.cleanup();
  });

  it.runIf(kind === "postgres")("is the embedded store's only: PostgreSQL reads through its driver", () => {
    expect(t.store.copyOut).toBeUndefined();
  });

  describe.runIf(kind === "embedded")("on the embedded store", () => {
    const copying = () => new LedgerReader(t.db, t.store.copyOut);
    const driver = () => new LedgerReader(t.db);

    it("reads the same entries, columns and NULLs as the driver, page by page", async () => {
      expect(t.store.copyOut).toBeTypeOf("function");
      for (const [from, limit] of [
        [0, 1000],
        [0, 10],
        [30, 10],
        [SIZE, 5],
      ] as const) {
        const copied = await copying().entriesWithColumns(from, limit);
        expect(copied).toEqual(await driver().entriesWithColumns(from, limit));
        expect(copied.length).toBe(Math.max(0, Math.min(limit, SIZE - from)));
      }
      const all = await copying().entriesWithColumns(0, 1000);
      expect(all.map((e) => e.index)).toEqual([...Array(SIZE).keys()]);
      expect(all.filter((e) => e.columns.subject === null).length).toBe(Math.ceil(SIZE / 5));
      expect(all.every((e) => e.leafHash.length === 32 && e.canonical.length > 0 && e.signature.includes(".."))).toBe(true);
    });

    it("reads the same stored hashes of every tree level as the driver", async () => {
      for (let level = 0; level <= 6; level++) {
        const copied = await copying().levelHashes(level, 0, 2048);
        expect(copied).toEqual(await driver().levelHashes(level, 0, 2048));
        expect(copied.length).toBe(Math.floor(SIZE / 2 ** level));
      }
      expect(await copying().levelHashes(1, 4, 3)).toEqual(await driver().levelHashes(1, 4, 3));
    });

    it("names PostgreSQL's error for a COPY that fails, and leaves the store readable", async () => {
      await expect(t.store.copyOut!("select 1 / 0")).rejects.toThrow(/division by zero/);
      await expect(t.store.copyOut!("select * from no_such_table")).rejects.toThrow(/no_such_table/);
      expect((await copying().entriesWithColumns(0, 3)).map((e) => e.index)).toEqual([0, 1, 2]);
    });

    it("waits for an open transaction rather than reading inside it", async () => {
      let copied: Promise<Uint8Array> | undefined;
      await t.db.transaction().execute(async (trx) => {
        await sql`create table copy_wait (id bigint)`.execute(trx);
        copied = t.store.copyOut!("select count(*) from copy_wait");
        await sql`insert into copy_wait values (1), (2)`.execute(trx);
      });
      // Inside the transaction it would have counted no rows; after it, the two it committed.
      const data = await copied!;
      await sql`drop table copy_wait`.execute(t.db);
      expect(
        Buffer.from(data)
          .subarray(19 + 2 + 4, 19 + 2 + 4 + 8)
          .readBigInt64BE(),
      ).toBe(2n);
    });

    it("writes nothing but checked integers into the COPY's SQL", async () => {
      await expect(copying().entriesWithColumns(0, 1.5)).rejects.toThrow(/not a row index or count/);
      await expect(copying().levelHashes(-1, 0, 10)).rejects.toThrow(/not a row index or count/);
    });

    it("reads a whole table as the driver's selectAll does: every type the projections use, NULLs, escapes, no rows", async () => {
      const readTable = t.store.readTable!;
      await sql`create table copy_types (id bigint primary key, name text, on_ bool, n integer, small smallint, f double precision,
        at timestamptz, raw bytea, doc jsonb, tags text[])`.execute(t.db);
      await sql`insert into copy_types values
        (1, ${"tab\there, line\nthere, back\\slash, \\N, ✓"}, true, -7, 3, 0.1, '2026-01-02 03:04:05.678901+00',
          ${new Uint8Array([0, 255, 10, 9])}, '{"b":[1,2],"a":"x"}', array['a b', 'c"d', ${"t\tn\n"}]),
        (2, null, false, null, null, 1e-300, '1999-12-31 23:59:59.9995+00', ${new Uint8Array(0)}, 'null', '{}'),
        (3, '', null, 2147483647, -32768, 'NaN', null, null, null, null),
        (9007199254740991, ${"\\N"}, true, 0, 0, -0.0, 'infinity', ${new Uint8Array([0x5c])}, '[]', array[null]::text[])`.execute(t.db);
      try {
        const copied = await readTable("copy_types");
        const driven = await t.db
          .selectFrom("copy_types" as never)
          .selectAll()
          .orderBy("id" as never)
          .execute();
        expect(copied.length).toBe(4);
        expect(copied).toEqual(driven);
        expect(itemAt(copied, 0, "copied rows").name).toBe("tab\there, line\nthere, back\\slash, \\N, ✓");
        await sql`create table copy_empty (id bigint)`.execute(t.db);
        expect(await readTable("copy_empty")).toEqual([]);
      } finally {
        await sql`drop table if exists copy_types`.execute(t.db);
        await sql`drop table if exists copy_empty`.execute(t.db);
      }
      await expect(readTable('ledger_entries"; drop table ledger_entries; --')).rejects.toThrow(/not a table name/);
      await expect(readTable("no_such_table")).rejects.toThrow(/no_such_table/);
    });

    /** verifyLog over the COPY reads, with the stored nodes, as `ledger verify` runs it on this store. */
    const verifyCopied = async () => {
      const reader = copying();
      async function* pages() {
        for (let from = 0; from < SIZE; from += 10) yield reader.entriesWithColumns(from, 10);
      }
      return verifyLog({
        entries: pages(),
        checkpoints: (await reader.checkpoints()).map((c) => c.note),
        eventKeys: [t.ledger.keyring.event.publicJwk],
        checkpointKeys: (await reader.publicKeys("checkpoint")).map((r) => r.vkey as string),
        head: await reader.head(),
        storedNodes: (level, from, limit) => reader.levelHashes(level, from, limit),
        workers: 0,
      });
    };

    /** Runs `change`, verifies over COPY reads, then `undo` and checks the log verifies again. */
    async function tampered(change: ReturnType<typeof sql>, undo: ReturnType<typeof sql>) {
      await change.execute(t.db);
      try {
        return await verifyCopied();
      } finally {
        await undo.execute(t.db);
        expect(await verifyCopied()).toMatchObject({ ok: true, size: SIZE });
      }
    }

    it("verifies the untouched log", async () => {
      expect(await verifyCopied()).toMatchObject({ ok: true, size: SIZE, checkpoints: 1 });
    });

    it("catches an edited kind column, a NULLed subject and a flipped leaf-hash bit, each at its entry", async () => {
      expect(
        await tampered(
          sql`update ledger_entries set kind = 'test.other' where idx = 23`,
          sql`update ledger_entries set kind = 'test.entry' where idx = 23`,
        ),
      ).toMatchObject({ ok: false, part: "column", index: 23, row: { column: "kind", stored: "test.other", expected: "test.entry" } });
      expect(
        await tampered(
          sql`update ledger_entries set subject = null where idx = 12`,
          sql`update ledger_entries set subject = 'test:d-12' where idx = 12`,
        ),
      ).toMatchObject({ ok: false, part: "column", index: 12, row: { column: "subject", stored: "null", expected: "test:d-12" } });
      const flip = sql`update ledger_entries set leaf_hash = set_byte(leaf_hash, 0, get_byte(leaf_hash, 0) # 1) where idx = 31`;
      expect(await tampered(flip, flip)).toMatchObject({ ok: false, part: "leaf_hash", index: 31 });
    });

    it("catches a stored interior node that is not the hash of the entries below it", async () => {
      const flip = sql`update ledger_nodes set hash = set_byte(hash, 5, get_byte(hash, 5) # 64) where level = 2 and idx = 3`;
      const result = await tampered(flip, flip);
      expect(result).toMatchObject({ ok: false, part: "node", index: 12 });
      expect((result as { reason: string }).reason).toMatch(/level 2, index 3/);
    });
  });
});
