// A row the database refuses fails only its own append, never the rest of its group commit (issue 14: one NUL in a
// decision's resource answered 503 to 723 of 800 concurrent good decisions). The HTTP boundary refuses such values
// first; these appends go to the writer directly, as a caller that skipped the boundary would.
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyLog } from "../../ledger/verify/index.ts";
import { createTestStore, STORE_KINDS, type TestStoreConfig } from "../support/test-stores.ts";
import { openTestLedger, type OpenTestLedger, testEvent } from "./ledger-fixture.ts";
import { itemAt } from "../../common/present.ts";

describe.each(STORE_KINDS)("group commit isolation (%s)", (kind) => {
  let cfg: TestStoreConfig;
  let t: OpenTestLedger;

  beforeAll(async () => {
    cfg = await createTestStore(kind);
    t = await openTestLedger(cfg);
    await sql`create table isolation_probe (id text primary key, resource text not null)`.execute(t.db);
    await t.ledger.writer.append(testEvent(0)); // the writer knows the head: the good ones take the one-statement path
  });
  afterAll(async () => {
    await t?.close().catch(() => {});
    await cfg?.cleanup();
  });

  const probe = (i: number, resource: string) =>
    t.ledger.writer.append(testEvent(i), { rows: () => [{ table: "isolation_probe", values: { id: `p-${i}`, resource } }] });

  it.each([
    ["a NUL in a text column", "src/\u0000x"],
    ["a lone surrogate", "src/\udc00x"],
  ])("40 good appends and one with %s, sent together: the 40 commit, the one is refused as bad input", async (_, bad) => {
    const base = (await t.ledger.reader.head()).size;
    const offset = bad.includes("\u0000") ? 1000 : 2000;
    const sent = Array.from({ length: 41 }, (_, i) => probe(offset + i, i === 20 ? bad : `src/f${i}.ts`));
    const results = await Promise.allSettled(sent);

    const refused = results.filter((r) => r.status === "rejected");
    expect(refused).toHaveLength(1);
    expect(results[20]).toMatchObject({ status: "rejected", reason: { code: "bad_request" } });
    const indexes = results.flatMap((r) => (r.status === "fulfilled" ? [r.value.index] : []));
    expect(indexes).toHaveLength(40);
    // Committed in the order they were sent, at dense indexes.
    expect(indexes).toEqual(Array.from({ length: 40 }, (_, i) => base + i));
    const rows = await sql<{
      n: number;
    }>`select count(*)::int as n from isolation_probe where id like ${`p-${String(offset).slice(0, 1)}%`}`.execute(t.db);
    expect(Number(itemAt(rows.rows, 0, "count rows").n)).toBe(40);

    const head = await t.ledger.reader.head();
    expect(head.size).toBe(base + 40);
    const report = await verifyLog({
      entries: await t.ledger.reader.rawEntries(0, 10_000),
      checkpoints: (await t.ledger.reader.checkpoints()).map((c) => c.note),
      eventKeys: [t.ledger.keyring.event.publicJwk],
      checkpointKeys: (await t.ledger.reader.publicKeys("checkpoint")).map((r) => r.vkey as string),
      head,
      workers: 0,
    });
    expect(report, JSON.stringify(report)).toMatchObject({ ok: true, size: base + 40 });
  });
});
