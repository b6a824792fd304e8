// A stream reader costs the server only while it keeps up: a replay stops when its client goes, reads the store a
// page at a time as the client takes them, and a reader that falls behind is dropped with a final event saying why.
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ledgerStream, STREAM_LIMITS, type StreamLimits } from "../../server/http/routes/ledger-stream.ts";
import { STORE_KINDS } from "../support/test-stores.ts";
import { startTestServer, type TestServer } from "../support/test-server.ts";
import { present } from "../../common/present.ts";

const LOG = 2_000;
const PAGE = 50;

interface Sse {
  event: string;
  id?: string;
  data: string;
}

/** Reads SSE events from a body until it ends or `ms` pass; `stopAfter` cancels the body after that many events. */
async function readSse(body: ReadableStream<Uint8Array>, ms: number, stopAfter = Infinity): Promise<{ events: Sse[]; ended: boolean }> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  const events: Sse[] = [];
  let buffer = "";
  const deadline = Date.now() + ms;
  for (;;) {
    const left = deadline - Date.now();
    const next = await Promise.race([reader.read(), new Promise<"timeout">((r) => setTimeout(() => r("timeout"), Math.max(left, 0)))]);
    if (next === "timeout") {
      await reader.cancel();
      return { events, ended: false };
    }
    if (next.done) return { events, ended: true };
    buffer += decoder.decode(next.value, { stream: true });
    let sep: number;
    while ((sep = buffer.indexOf("\n\n")) >= 0) {
      const fields = Object.fromEntries(
        buffer
          .slice(0, sep)
          .split("\n")
          .map((l) => [l.slice(0, l.indexOf(":")), l.slice(l.indexOf(":") + 1).trim()]),
      );
      buffer = buffer.slice(sep + 2);
      // Every block the server writes has an event and a data line (entry, ping, dropped); only entries carry an id.
      events.push({
        event: present(fields.event, "an SSE block's event"),
        id: fields.id,
        data: present(fields.data, "an SSE block's data"),
      });
    }
    if (events.length >= stopAfter) {
      await reader.cancel();
      return { events, ended: false };
    }
  }
}

describe.each(STORE_KINDS)("ledger stream limits on %s store", (kind) => {
  let server: TestServer;
  /** Every `from` the stream read the store at. */
  let reads: number[];

  const append = (n: number) =>
    Promise.all(
      Array.from({ length: n }, (_, i) =>
        server.ctx.ledger.writer.append({ kind: "test.stream", actor: { type: "service", id: "t" }, payload: { i } }),
      ),
    );
  /** The stream route alone (no auth), with its limits made small enough to reach in a test. */
  const open = async (query: string, limits: Partial<StreamLimits>) => {
    const app = new Hono().get("/v1/ledger/stream", ledgerStream(server.ctx, { ...STREAM_LIMITS, pageSize: PAGE, ...limits }));
    const res = await app.request(`/v1/ledger/stream${query}`);
    expect(res.status).toBe(200);
    return res.body!;
  };

  beforeAll(async () => {
    server = await startTestServer(kind);
    await append(LOG);
    // Counts every page read the stream could make, whichever method it uses.
    const reader = server.ctx.ledger.reader;
    const rawEntries = reader.rawEntries.bind(reader);
    const entrySummaries = reader.entrySummaries.bind(reader);
    reads = [];
    reader.rawEntries = (from, limit) => {
      reads.push(from);
      return rawEntries(from, limit);
    };
    reader.entrySummaries = (from, limit) => {
      reads.push(from);
      return entrySummaries(from, limit);
    };
  });
  afterAll(() => server.close());

  it("a replay reads the store only as the client takes pages, and stops when the client goes", async () => {
    reads.length = 0;
    const body = await open("?from=0", {});
    expect(reads.length).toBeGreaterThan(0);
    const { events } = await readSse(body, 10_000, PAGE + 1); // the first page and one more entry, then gone
    expect(events.slice(0, PAGE + 1).map((e) => Number(e.id))).toEqual(Array.from({ length: PAGE + 1 }, (_, i) => i));
    await new Promise((r) => setTimeout(r, 500));
    const afterGone = reads.length;
    // Back-pressure: a few pages ahead of the client at most, never the whole log (it was 2,000 entries).
    expect(Math.max(...reads)).toBeLessThan(PAGE * 6);
    await new Promise((r) => setTimeout(r, 1_500)); // past the quiet poll: a gone client's loop reads nothing more
    expect(reads.length).toBe(afterGone);
  });

  it("a reader that takes nothing for longer than the write bound is dropped with a final event saying why", async () => {
    const body = await open("?from=0", { maxWriteWaitMs: 300 });
    await new Promise((r) => setTimeout(r, 900));
    const { events, ended } = await readSse(body, 5_000);
    expect(ended).toBe(true);
    const last = events.at(-1)!;
    expect(last.event).toBe("dropped");
    const why = JSON.parse(last.data);
    expect(why.reason).toBe("slow_reader");
    const entries = events.filter((e) => e.event === "entry");
    expect(entries.length).toBeLessThan(LOG);
    expect(why.lastIndex).toBe(Number(entries.at(-1)!.id)); // where to resume: Last-Event-ID
  });

  it("a live reader with more than the byte bound waiting is dropped at once, and appends never wait for it", async () => {
    const head = (await server.ctx.ledger.reader.head()).size;
    const body = await open(`?from=${head}`, { maxWriteWaitMs: 60_000, maxBufferedBytes: 4_000 });
    await new Promise((r) => setTimeout(r, 100));
    const t0 = performance.now();
    for (let i = 0; i < 5; i++) await append(40);
    expect(performance.now() - t0).toBeLessThan(5_000);
    const { events, ended } = await readSse(body, 5_000);
    expect(ended).toBe(true);
    expect(events.at(-1)!.event).toBe("dropped");
    expect(JSON.parse(events.at(-1)!.data).reason).toBe("too_far_behind");
    // What it did get is in order, from where it asked.
    const ids = events.filter((e) => e.event === "entry").map((e) => Number(e.id));
    expect(ids).toEqual(Array.from({ length: ids.length }, (_, i) => head + i));
  });

  it("over Node's response (how maestro serve answers), a replay stops reading the store once the client goes", async () => {
    // Paced so that the whole log would take ~2 s: a client gone after its first events must leave most of it unread.
    const app = new Hono().get("/v1/ledger/stream", ledgerStream(server.ctx, { ...STREAM_LIMITS, pageSize: PAGE, pageIntervalMs: 50 }));
    const http = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" });
    try {
      await new Promise((r) => http.once("listening", r));
      reads.length = 0;
      const controller = new AbortController();
      const res = await fetch(`http://127.0.0.1:${(http.address() as AddressInfo).port}/v1/ledger/stream?from=0`, {
        signal: controller.signal,
      });
      expect(res.headers.get("content-type")).toBe("text/event-stream");
      const { events } = await readSse(res.body!, 10_000, 1);
      expect(events[0]).toMatchObject({ event: "entry", id: "0" });
      controller.abort();
      await new Promise((r) => setTimeout(r, 300));
      const afterGone = reads.length;
      await new Promise((r) => setTimeout(r, 1_500));
      expect(reads.length).toBe(afterGone);
      expect(Math.max(...reads)).toBeLessThan(LOG / 2);
    } finally {
      await new Promise((r) => http.close(r));
    }
  });
});
