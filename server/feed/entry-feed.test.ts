// The feed gathers a window's commits into one batch whose SSE bytes every subscriber shares.
import { afterEach, describe, expect, it } from "vitest";
import type { AppendedEntry } from "../../ledger/append/ledger-writer.ts";
import { EntryFeed, type FeedBatch, sseEntry } from "./entry-feed.ts";
import { itemAt } from "../../common/present.ts";

const entry = (index: number) => ({ index, event: { kind: "test.feed", id: `ev-${index}` } }) as unknown as AppendedEntry;
const feeds: EntryFeed[] = [];
const newFeed = (coalesce = { minMs: 20, maxMs: 200, writesPerSecond: 100 }) => {
  const feed = new EntryFeed(coalesce);
  feeds.push(feed);
  return feed;
};
afterEach(() => feeds.splice(0).forEach((f) => f.close()));

describe("EntryFeed", () => {
  it("hands every subscriber the same batch, in index order, with its bytes built once", async () => {
    const feed = newFeed();
    const one: FeedBatch[] = [];
    const two: FeedBatch[] = [];
    feed.subscribe((b) => one.push(b));
    feed.subscribe((b) => two.push(b));
    feed.publish([entry(7), entry(5)]);
    feed.publish([entry(6)]);
    await new Promise((r) => setTimeout(r, 60));
    expect(one).toHaveLength(1);
    const batch = itemAt(one, 0, "batches");
    expect(two[0]).toBe(batch);
    expect(batch.items.map((i) => i.index)).toEqual([5, 6, 7]);
    expect([batch.first, batch.last, batch.contiguous]).toEqual([5, 7, true]);
    expect(batch.bytes.toString()).toBe(
      sseEntry(5, "test.feed", "ev-5") + sseEntry(6, "test.feed", "ev-6") + sseEntry(7, "test.feed", "ev-7"),
    );
  });

  it("marks a batch with a gap (another process appended in between) as not contiguous", async () => {
    const feed = newFeed();
    const got: FeedBatch[] = [];
    feed.subscribe((b) => got.push(b));
    feed.publish([entry(1), entry(3)]);
    await new Promise((r) => setTimeout(r, 60));
    expect(itemAt(got, 0, "batches").contiguous).toBe(false);
  });

  it("widens the window with the number of subscribers, within its bounds, and builds nothing for none", async () => {
    const feed = newFeed();
    expect(feed.windowMs).toBe(20);
    const off = Array.from({ length: 5 }, () => feed.subscribe(() => {}));
    expect(feed.windowMs).toBe(50); // 5 subscribers at 100 writes/s together
    const more = Array.from({ length: 100 }, () => feed.subscribe(() => {}));
    expect(feed.windowMs).toBe(200);
    [...off, ...more].forEach((u) => u());
    feed.publish([entry(1)]);
    const seen: FeedBatch[] = [];
    feed.subscribe((b) => seen.push(b));
    await new Promise((r) => setTimeout(r, 60));
    expect(seen).toEqual([]); // published while nobody listened: not kept for later subscribers
  });
});
