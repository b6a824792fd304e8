// Server-Sent Events of ledger entries: a paged replay from the store, then live entries; resumable with
// Last-Event-ID (the event id is the ledger index). A reader costs the server only while it keeps up.
//
// Issue 14: a replay kept reading the store for a client that had gone (hono's write() swallows the closed-stream
// error), and forty such replays took decisions from ~2,000/s to 0. Now every page is written with back-pressure
// (the next page is read only once the client has taken this one), the loop stops as soon as the client goes, and
// a reader that falls behind a bound is dropped with a final `dropped` event naming the reason; it may resume.
import type { Handler } from "hono";
import pLimit from "p-limit";
import type { Services } from "../../compose.ts";
import { type FeedBatch, sseEntry } from "../../feed/entry-feed.ts";
import { respondWithSse, type SseSink } from "./sse-sink.ts";
import { isStoreUnreachable } from "../../../ledger/store/unreachable.ts";
import { INDEX_PARAM, parseIndexParam } from "../params.ts";
import { EVIDENCE, type Route } from "../route.ts";
import { itemAt } from "../../../common/present.ts";

export interface StreamLimits {
  /** Entries per store read of a replay. */
  pageSize: number;
  /** A write the client has not taken within this long drops it (`slow_reader`). */
  maxWriteWaitMs: number;
  /** Live entries waiting for this reader beyond this many bytes drop it (`too_far_behind`); appends never wait. */
  maxBufferedBytes: number;
  /**
   * Store reads all streams together may have in flight. Readers share the pool that decisions read call state
   * from: forty replays each holding a connection made decisions queue behind them.
   */
  concurrentReads: number;
  /**
   * Each of those slots takes a page at most this often: replays are background work, paced to 2 × 500 entries per
   * 20 ms (50,000/s) for all readers together, so readers that take pages as fast as they come cannot take the CPU
   * that decisions need.
   */
  pageIntervalMs: number;
}

export const STREAM_LIMITS: StreamLimits = {
  pageSize: 500,
  maxWriteWaitMs: 10_000,
  maxBufferedBytes: 1 << 20,
  concurrentReads: 2,
  pageIntervalMs: 20,
};

/** How often a quiet stream reads the store for entries other processes appended. */
const POLL_MS = 1_000;
/** A ping after this much silence keeps proxies from closing the connection. */
const PING_MS = 15_000;

const DROP_MESSAGES = {
  slow_reader: "the client did not take the stream's data in time; resume with Last-Event-ID",
  too_far_behind: "the client fell too far behind the live entries; resume with Last-Event-ID",
  store_unavailable: "the store became unreachable; resume with Last-Event-ID once it is back",
} as const;
type DropReason = keyof typeof DROP_MESSAGES;

export const ledgerStreamRoutes: readonly Route[] = [
  {
    method: "GET",
    path: "/v1/ledger/stream",
    ...EVIDENCE,
    does: "Server-Sent Events of new entries",
    // Or the Last-Event-ID header: resume after that index.
    query: ["from"],
    params: { from: INDEX_PARAM },
    headers: { "Last-Event-ID": { ...INDEX_PARAM, description: "the last index read: the stream resumes after it" } },
    response: { description: "Server-Sent Events; resume with Last-Event-ID", content: { "text/event-stream": { type: "string" } } },
    handler: ledgerStream,
  },
];

/** The stream's handler; its read slots and head poll are shared by every reader it serves. */
export function ledgerStream(ctx: Pick<Services, "ledger" | "feed">, limits: StreamLimits = STREAM_LIMITS): Handler {
  const slots = pLimit(limits.concurrentReads);
  /** A store read of a stream: waits for a slot, and keeps it until the slot's page interval has passed. */
  const storeReads = <T>(read: () => Promise<T>): Promise<T> =>
    slots(async () => {
      const started = performance.now();
      try {
        return await read();
      } finally {
        const rest = limits.pageIntervalMs - (performance.now() - started);
        if (rest > 0) await new Promise((resolve) => setTimeout(resolve, rest));
      }
    });
  // Quiet readers look for other processes' appends each second; one head read serves all of them.
  let headRead: { at: number; size: Promise<number> } | undefined;
  const storeSize = (): Promise<number> => {
    if (!headRead || performance.now() - headRead.at > POLL_MS / 2) {
      headRead = { at: performance.now(), size: ctx.ledger.reader.head().then((h) => h.size) };
      headRead.size.catch(() => (headRead = undefined));
    }
    return headRead.size;
  };
  return async (c) => {
    const header = c.req.header("last-event-id");
    // Last-Event-ID is the last index seen (resume after it); ?from= is the first index wanted.
    const next =
      header !== undefined
        ? parseIndexParam(header, "Last-Event-ID") + 1
        : c.req.query("from") === undefined
          ? undefined
          : parseIndexParam(c.req.query("from"), "from");
    // Subscribed before the head is read, so nothing that commits in between is missed (nor read again from the store).
    const live = liveQueue(ctx, limits);
    let start: number;
    try {
      // Read before the 200 goes out, so a store that is down answers 503 like every other route.
      start = next ?? (await ctx.ledger.reader.head()).size;
    } catch (err) {
      live.close();
      throw err;
    }
    return respondWithSse(c, async (sink) => {
      try {
        await streamEntries(ctx, limits, storeReads, storeSize, sink, live, start, next !== undefined);
      } finally {
        live.close();
      }
    });
  };
}

/** Live batches waiting for one reader; past the byte bound they are let go and the reader is marked behind. */
function liveQueue(ctx: Pick<Services, "ledger" | "feed">, limits: StreamLimits) {
  const queue = {
    batches: [] as FeedBatch[],
    bytes: 0,
    behind: false,
    /** Wakes the reader's loop (a batch arrived, or the reader fell behind). */
    wake: undefined as (() => void) | undefined,
    close: () => unsubscribe(),
  };
  const unsubscribe = ctx.feed.subscribe((batch) => {
    if (queue.behind) return;
    queue.bytes += batch.bytes.length;
    if (queue.bytes > limits.maxBufferedBytes) {
      queue.behind = true;
      queue.batches = [];
    } else queue.batches.push(batch);
    queue.wake?.();
  });
  return queue;
}
type LiveQueue = ReturnType<typeof liveQueue>;

/** One reader: a paged replay from `start`, then the live batches, until the client goes or is dropped. */
async function streamEntries(
  ctx: Pick<Services, "ledger" | "feed">,
  limits: StreamLimits,
  storeReads: <T>(read: () => Promise<T>) => Promise<T>,
  storeSize: () => Promise<number>,
  sink: SseSink,
  live: LiveQueue,
  start: number,
  replayFirst: boolean,
): Promise<void> {
  let dropped: DropReason | undefined;
  /** Ends a write still waiting for the client, once the reader is dropped or gone. */
  let interrupt: (() => void) | undefined;
  const wakeAll = () => {
    interrupt?.();
    live.wake?.();
  };
  sink.onGone(() => {
    live.close();
    wakeAll();
  });
  const open = () => !sink.gone && dropped === undefined && !live.behind;
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      live.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    }).finally(() => (live.wake = undefined));

  /** Writes and waits until the client has taken it (back-pressure); false once the stream is over. */
  const send = async (chunk: Uint8Array | string): Promise<boolean> => {
    if (!open()) return false;
    let timer: NodeJS.Timeout | undefined;
    let timedOut = false;
    const stop = new Promise<false>((resolve) => {
      timer = setTimeout(() => {
        timedOut = true;
        resolve(false);
      }, limits.maxWriteWaitMs);
      interrupt = () => resolve(false);
    });
    // A reader that falls behind while a write waits is let go at once, not after the write bound.
    live.wake = () => {
      if (live.behind) interrupt?.();
    };
    const taken = await Promise.race([sink.write(chunk), stop]);
    clearTimeout(timer);
    interrupt = undefined;
    live.wake = undefined;
    if (timedOut && !taken && !sink.gone) dropped ??= "slow_reader";
    return taken && open();
  };

  let from = start;
  /** Writes every stored entry from `from` on, a page at a time; true if it wrote any. */
  const replay = async (): Promise<boolean> => {
    const before = from;
    while (open()) {
      const page = await storeReads(() => ctx.ledger.reader.entrySummaries(from, limits.pageSize));
      if (page.length === 0 || !open()) break;
      let text = "";
      for (const entry of page) text += sseEntry(entry.index, entry.kind, entry.eventId);
      const taken = await send(text);
      // Once written the page is queued ahead of any final event, even if the client has not taken it yet.
      from = itemAt(page, page.length - 1, "entry summaries").index + 1;
      if (!taken || page.length < limits.pageSize) break;
    }
    return from > before;
  };

  /** Writes the queued live batches: a caught-up reader writes each batch's shared bytes as they are. */
  const writeBatches = async (batches: FeedBatch[]): Promise<boolean> => {
    const chunks: Uint8Array[] = [];
    const flush = async () => {
      if (chunks.length === 0) return true;
      const chunk = chunks.length === 1 ? itemAt(chunks, 0, "stream chunks") : Buffer.concat(chunks);
      chunks.length = 0;
      return send(chunk);
    };
    for (const batch of batches) {
      if (batch.last < from) continue;
      if (batch.first === from && batch.contiguous) {
        chunks.push(batch.bytes);
        from = batch.last + 1;
        continue;
      }
      for (const item of batch.items) {
        if (item.index > from) {
          // A gap: another process appended between our own entries. What is gathered goes first, in order.
          if (!(await flush())) return false;
          await replay();
          if (!open()) return false;
        }
        if (item.index < from) continue;
        chunks.push(Buffer.from(item.text));
        from = item.index + 1;
      }
    }
    return flush();
  };

  const follow = async (): Promise<void> => {
    // Replay from the store first, then follow the live feed without gaps or repeats. The feed carries only this
    // process's appends: another process's (several servers on one database) are read from the store, when a
    // live batch shows a gap before it, and after each quiet second. A reader that starts at the head has nothing
    // to replay (it subscribed before reading the head): 200 such readers each reading an empty page held the
    // store-read slots for seconds.
    if (replayFirst) await replay();
    let quietSince = performance.now();
    while (open()) {
      if (live.batches.length === 0) {
        await sleep(POLL_MS);
        if (!open()) break;
        if (live.batches.length === 0) {
          if ((await storeSize()) > from && (await replay())) quietSince = performance.now();
          else if (performance.now() - quietSince >= PING_MS) {
            if (!(await send("event: ping\ndata: \n\n"))) break;
            quietSince = performance.now();
          }
          continue;
        }
      }
      const batches = live.batches;
      live.batches = [];
      live.bytes = 0;
      if (!(await writeBatches(batches))) break;
      quietSince = performance.now();
    }
  };

  try {
    await follow();
  } catch (err) {
    // A 200 is already out: the reason goes in the stream. Anything but an outage is still a bug to log.
    if (!isStoreUnreachable(err)) throw err;
    dropped = "store_unavailable";
  }
  if (live.behind && !sink.gone) dropped ??= "too_far_behind";
  if (dropped && !sink.gone) {
    // Queued behind whatever the client has not taken yet: a client that reads again learns why it was dropped.
    sink.finish(
      `event: dropped\ndata: ${JSON.stringify({ reason: dropped, message: DROP_MESSAGES[dropped], lastIndex: from - 1 })}\n\n`,
      limits.maxWriteWaitMs,
    );
    console.warn(JSON.stringify({ level: "warn", msg: "ledger stream reader dropped", reason: dropped, lastIndex: from - 1 }));
  }
}
