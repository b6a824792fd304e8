// The writer's generation: it moves on any commit a cached read could depend on, and an append decided on reads of
// an older generation is refused (StaleReadError) with nothing written, so callers may decide on cached reads.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventSigner } from "../../ledger/append/event-signer.ts";
import { LedgerWriter, StaleReadError } from "../../ledger/append/ledger-writer.ts";
import { loadKeyring } from "../../ledger/keys/keyring.ts";
import { createTestStore, STORE_KINDS, type TestStoreConfig } from "../support/test-stores.ts";
import { openTestLedger, type OpenTestLedger, testEvent } from "./ledger-fixture.ts";

describe.each(STORE_KINDS)("writer generation and stale reads (%s)", (kind) => {
  let cfg: TestStoreConfig;
  let t: OpenTestLedger;
  let writer: LedgerWriter;
  let other: LedgerWriter;

  beforeAll(async () => {
    cfg = await createTestStore(kind);
    t = await openTestLedger(cfg);
    writer = t.ledger.writer;
    // A second writer on the same database stands in for another server process.
    other = new LedgerWriter(t.db, eventSigner((await loadKeyring(cfg.dataDir)).event));
    await writer.append(testEvent(0)); // the head is known from here on
  });
  afterAll(async () => {
    await t?.close().catch(() => {});
    await cfg?.cleanup();
  });

  const size = async () => (await t.ledger.reader.head()).size;

  it("appends marked leavesReadsValid keep the generation; any other append moves it", async () => {
    const g = writer.generation;
    await Promise.all([
      writer.append(testEvent(1), { leavesReadsValid: true }),
      writer.append(testEvent(2), { leavesReadsValid: true, readAt: g }),
    ]);
    expect(writer.generation).toBe(g);
    await writer.append(testEvent(3));
    expect(writer.generation).toBe(g + 1);
    // Domain writes may change anything: the mark does not hold with `apply`.
    await writer.append(testEvent(4), { leavesReadsValid: true, apply: async () => {} });
    expect(writer.generation).toBe(g + 2);
  });

  it("refuses an append decided on reads from before a change, and writes nothing of it", async () => {
    const g = writer.generation;
    await writer.append(testEvent(10)); // a change the reads did not see
    const before = await size();
    const stale = writer.append(testEvent(11), { readAt: g, leavesReadsValid: true, rows: () => [{ table: "no_such_table", values: {} }] });
    await expect(stale).rejects.toBeInstanceOf(StaleReadError);
    expect(await size()).toBe(before);
    // The same append on current reads goes through.
    const ok = await writer.append(testEvent(12), { readAt: writer.generation, leavesReadsValid: true });
    expect(ok.index).toBe(before);
  });

  it("refuses an append placed after a change in its own batch, and keeps the ones before it", async () => {
    const g = writer.generation;
    const [before, change, after, unrelated] = await Promise.allSettled([
      writer.append(testEvent(20), { readAt: g, leavesReadsValid: true }),
      writer.append(testEvent(21)),
      writer.append(testEvent(22), { readAt: g, leavesReadsValid: true }),
      writer.append(testEvent(23), { leavesReadsValid: true }),
    ]);
    expect([before.status, change.status, unrelated.status]).toEqual(["fulfilled", "fulfilled", "fulfilled"]);
    expect(after.status === "rejected" && after.reason).toBeInstanceOf(StaleReadError);
    expect(writer.generation).toBe(g + 1);
  });

  it("moves the generation when another writer appended, and refuses appends decided before it", async () => {
    const g = writer.generation;
    expect(writer.otherWriterSeenWithin(60_000)).toBe(false);
    await other.append(testEvent(30)); // e.g. another server process tainting a session
    const before = await size();
    // The one-statement guard finds the head moved: nothing decided at `g` may commit, a plain append still does.
    const [stale, plain] = await Promise.allSettled([
      writer.append(testEvent(31), { readAt: g, leavesReadsValid: true }),
      writer.append(testEvent(32), { leavesReadsValid: true }),
    ]);
    expect(stale.status === "rejected" && stale.reason).toBeInstanceOf(StaleReadError);
    expect(plain.status === "fulfilled" && plain.value.index).toBe(before);
    expect(writer.generation).toBeGreaterThan(g);
    expect(writer.otherWriterSeenWithin(60_000)).toBe(true);
  });

  it("finds another writer's append on the locking path too (a batch with domain writes)", async () => {
    await writer.append(testEvent(40), { apply: async () => {} });
    const g = writer.generation;
    await other.append(testEvent(41));
    const stale = writer.append(testEvent(42), { readAt: g, apply: async () => {} });
    await expect(stale).rejects.toBeInstanceOf(StaleReadError);
    expect(writer.generation).toBeGreaterThan(g);
  });

  it("refuses a whole appendAll group when one of its events was decided on stale reads", async () => {
    const g = writer.generation;
    await writer.append(testEvent(50));
    const before = await size();
    const group = writer.appendAll([
      { input: testEvent(51), options: { leavesReadsValid: true } },
      { input: testEvent(52), options: { readAt: g, leavesReadsValid: true } },
    ]);
    await expect(group).rejects.toBeInstanceOf(StaleReadError);
    expect(await size()).toBe(before);
  });
});
