// Server-Sent Events of ledger entries: a paged replay from the store, then live entries; resumable with
// Last-Event-ID (the event id is the ledger index). A reader costs the server only while it keeps up.
//
// Issue 14: a replay kept reading the store for a client that had gone (hono's write() swallows the closed-stream
// error), and forty such replays took decisions from ~2,000/s to 0. Now every page is written with back-pressure
// (the next page is read only once the client has taken this one), the loop stops as soon as the client goes, and
// a reader that falls behind a bound is dropped with a final `dropped` event naming the reason; it may resume.
import type { ServerResponse } from "node:http";
import { Hono } from "hono";
import pLimit from "p-limit";
import { streamSSE } from "hono/streaming";
import type { ServerContext } from "../../context.ts";
import { type FeedItem, sseEntry } from "../../feed/entry-feed.ts";
import { isStoreUnreachable } from "../../../ledger/store/unreachable.ts";
import { parseIndexParam } from "../params.ts";

export interface StreamLimits {
  /** Entries per store read of a replay. */
  pageSize: number;
  /** A write the client has not taken within this long drops it (`slow_reader`). */
  maxWriteWaitMs: number;
  /** Live entries waiting for this reader beyond this many bytes drop it (`too_far_behind`); appends never wait. */
  maxBufferedBytes: number;
  /** Live entries are gathered this long after the first arrives, so one write carries what commits together. */
  coalesceMs: number;
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
  coalesceMs: 100,
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

export function ledgerStreamRoutes(ctx: ServerContext, limits: StreamLimits = STREAM_LIMITS): Hono {
  const app = new Hono();
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
  app.get("/v1/ledger/stream", async (c) => {
    const header = c.req.header("last-event-id");
    // Last-Event-ID is the last index seen (resume after it); ?from= is the first index wanted.
    const next =
      header !== undefined
        ? parseIndexParam(header, "Last-Event-ID") + 1
        : c.req.query("from") === undefined
          ? undefined
          : parseIndexParam(c.req.query("from"), "from");
    // Under @hono/node-server the socket's response, to close it when a dropped client never reads again.
    const outgoing = (c.env as { outgoing?: ServerResponse } | undefined)?.outgoing;
    // Read before the 200 goes out, so a store that is down answers 503 like every other route.
    const start = next ?? (await ctx.ledger.reader.head()).size;
    return streamSSE(c, async (stream) => {
      let buffered: FeedItem[] = [];
      let bufferedBytes = 0;
      let behind = false;
      let wake: (() => void) | undefined;
      let dropped: DropReason | undefined;
      /** Ends a write still waiting for the client, once the reader is dropped or gone. */
      let interrupt: (() => void) | undefined;
      const unsubscribe = ctx.feed.subscribe((items) => {
        if (behind) return;
        for (const item of items) bufferedBytes += item.text.length;
        if (bufferedBytes > limits.maxBufferedBytes) {
          behind = true;
          buffered = [];
          interrupt?.();
        } else for (const item of items) buffered.push(item);
        wake?.();
      });
      stream.onAbort(() => {
        unsubscribe();
        interrupt?.();
        wake?.();
      });
      const open = () => !stream.aborted && dropped === undefined && !behind;
      const sleep = (ms: number) =>
        new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, ms);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        }).finally(() => (wake = undefined));

      /** Writes and waits until the client has taken it (back-pressure); false once the stream is over. */
      const send = async (text: string): Promise<boolean> => {
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
        const taken = await Promise.race([stream.write(text).then(() => true), stop]);
        clearTimeout(timer);
        interrupt = undefined;
        if (timedOut && !taken && !stream.aborted) dropped ??= "slow_reader";
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
          from = page[page.length - 1].index + 1;
          if (!taken || page.length < limits.pageSize) break;
        }
        return from > before;
      };

      const follow = async (): Promise<void> => {
        // Replay from the store first, then follow the live feed without gaps or repeats. The feed carries only this
        // process's appends: another process's (several servers on one database) are read from the store, when a
        // live item shows a gap before it, and after each quiet second.
        await replay();
        let quietSince = performance.now();
        while (open()) {
          if (buffered.length === 0) {
            await sleep(POLL_MS);
            if (!open()) break;
            if (buffered.length === 0) {
              if ((await storeSize()) > from && (await replay())) quietSince = performance.now();
              else if (performance.now() - quietSince >= PING_MS) {
                if (!(await send("event: ping\ndata: \n\n"))) break;
                quietSince = performance.now();
              }
              continue;
            }
            await new Promise((resolve) => setTimeout(resolve, limits.coalesceMs));
            if (!open()) break;
          }
          const items = buffered.sort((a, b) => a.index - b.index);
          buffered = [];
          bufferedBytes = 0;
          let text = "";
          for (const item of items) {
            if (item.index > from) {
              // A gap: another process appended between our own entries. What is gathered goes first, in order.
              if (text !== "" && !(await send(text))) break;
              text = "";
              await replay();
              if (!open()) break;
            }
            if (item.index < from) continue;
            text += item.text;
            from = item.index + 1;
          }
          if (text !== "" && !(await send(text))) break;
          quietSince = performance.now();
        }
      };

      try {
        try {
          await follow();
        } catch (err) {
          // A 200 is already out: the reason goes in the stream. Anything but an outage is still a bug to log.
          if (!isStoreUnreachable(err)) throw err;
          dropped = "store_unavailable";
        }
        if (behind && !stream.aborted) dropped ??= "too_far_behind";
        if (dropped && !stream.aborted) {
          // Queued behind whatever the client has not taken yet: a client that reads again learns why it was dropped.
          void stream.write(
            `event: dropped\ndata: ${JSON.stringify({ reason: dropped, message: DROP_MESSAGES[dropped], lastIndex: from - 1 })}\n\n`,
          );
          console.warn(JSON.stringify({ level: "warn", msg: "ledger stream reader dropped", reason: dropped, lastIndex: from - 1 }));
          // A client that never reads again would hold its socket and our queued bytes for good.
          if (outgoing) setTimeout(() => outgoing.destroy(), limits.maxWriteWaitMs).unref();
        }
      } finally {
        unsubscribe();
      }
    });
  });
  return app;
}
