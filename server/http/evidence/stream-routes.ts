// Server-Sent Events of new ledger entries, resumable with Last-Event-ID (the event id is the ledger index).
import { Hono } from "hono";
import { streamSSE } from "hono/streaming";
import type { ServerContext } from "../../context.ts";
import type { FeedItem } from "../../feed/entry-feed.ts";
import { parseIndexParam } from "../params.ts";

const REPLAY_PAGE = 500;
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
        // Replay from the store first, then follow the live feed without gaps or repeats.
        for (;;) {
          const page = await ctx.ledger.reader.rawEntries(next, REPLAY_PAGE);
          for (const raw of page) {
            const event = JSON.parse(new TextDecoder().decode(raw.canonical));
            await stream.writeSSE({ id: String(raw.index), event: "entry", data: JSON.stringify({ index: raw.index, kind: event.kind, eventId: event.id }) });
            next = raw.index + 1;
          }
          if (page.length < REPLAY_PAGE) break;
        }
        while (!stream.aborted && !overflow) {
          const items = buffered.splice(0).filter((item) => item.index >= (next as number));
          for (const item of items.sort((a, b) => a.index - b.index)) {
            await stream.writeSSE({ id: String(item.index), event: "entry", data: JSON.stringify(item) });
            next = item.index + 1;
          }
          if (buffered.length === 0) {
            await new Promise<void>((resolve) => {
              wake = resolve;
              setTimeout(resolve, 15_000).unref();
            });
            wake = undefined;
            if (buffered.length === 0) await stream.writeSSE({ event: "ping", data: "" });
          }
        }
      } finally {
        unsubscribe();
      }
    });
  });
  return app;
}
