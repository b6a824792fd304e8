// Server-Sent Events of new ledger entries, resumable with Last-Event-ID (the event id is the ledger index).
import { Hono } from "hono";
import { streamSSE } from "hono/streaming";
import type { ServerContext } from "../../context.ts";
import type { FeedItem } from "../../feed/entry-feed.ts";
import { parseIndexParam } from "../params.ts";

const REPLAY_PAGE = 500;
/** How often a quiet stream reads the store for entries other processes appended. */
const POLL_MS = 1_000;
/** A comment line after this much silence keeps proxies from closing the connection. */
const PING_MS = 15_000;
/** Items buffered per client; past this the client is dropped (and may resume) so appends never wait. */
const MAX_BUFFERED = 10_000;

export function ledgerStreamRoutes(ctx: ServerContext): Hono {
  const app = new Hono();
  app.get("/v1/ledger/stream", (c) => {
    const header = c.req.header("last-event-id");
    // Last-Event-ID is the last index seen (resume after it); ?from= is the first index wanted.
    let next = header !== undefined ? parseIndexParam(header, "Last-Event-ID") + 1 : c.req.query("from") === undefined ? undefined : parseIndexParam(c.req.query("from"), "from");
    return streamSSE(c, async (stream) => {
      const buffered: FeedItem[] = [];
      let wake: (() => void) | undefined;
      let overflow = false;
      const unsubscribe = ctx.feed.subscribe((items) => {
        if (buffered.length + items.length > MAX_BUFFERED) overflow = true;
        else buffered.push(...items);
        wake?.();
      });
      stream.onAbort(unsubscribe);
      try {
        if (next === undefined) next = (await ctx.ledger.reader.head()).size;
        let from = next;
        /** Writes every stored entry from `from` on; true if it wrote any. */
        const replay = async (): Promise<boolean> => {
          const before = from;
          for (;;) {
            const page = await ctx.ledger.reader.rawEntries(from, REPLAY_PAGE);
            for (const raw of page) {
              const event = JSON.parse(new TextDecoder().decode(raw.canonical));
              await stream.writeSSE({ id: String(raw.index), event: "entry", data: JSON.stringify({ index: raw.index, kind: event.kind, eventId: event.id }) });
              from = raw.index + 1;
            }
            if (page.length < REPLAY_PAGE) return from > before;
          }
        };
        // Replay from the store first, then follow the live feed without gaps or repeats. The feed carries only this
        // process's appends: another process's (several servers on one database) are read from the store, when a
        // live item shows a gap before it, and after each quiet second.
        await replay();
        let quietSince = performance.now();
        while (!stream.aborted && !overflow) {
          const items = buffered.splice(0).sort((a, b) => a.index - b.index);
          for (const item of items) {
            if (item.index > from) await replay();
            if (item.index < from) continue;
            await stream.writeSSE({ id: String(item.index), event: "entry", data: JSON.stringify(item) });
            from = item.index + 1;
          }
          if (items.length > 0) quietSince = performance.now();
          if (buffered.length === 0) {
            await new Promise<void>((resolve) => {
              wake = resolve;
              setTimeout(resolve, POLL_MS).unref();
            });
            wake = undefined;
            if (buffered.length === 0 && !stream.aborted) {
              if (await replay()) quietSince = performance.now();
              else if (performance.now() - quietSince >= PING_MS) {
                await stream.writeSSE({ event: "ping", data: "" });
                quietSince = performance.now();
              }
            }
          }
        }
      } finally {
        unsubscribe();
      }
    });
  });
  return app;
}
