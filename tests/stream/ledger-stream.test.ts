// The SSE feed of ledger entries: replay from Last-Event-ID, then live entries, in order, without gaps.
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventSigner } from "../../ledger/append/event-signer.ts";
import { LedgerWriter } from "../../ledger/append/ledger-writer.ts";
import { invalidOnPurpose } from "../support/invalid-on-purpose.ts";
import { STORE_KINDS } from "../support/test-stores.ts";
import { startTestServer, type TestServer } from "../support/test-server.ts";
import { ledgerTablesOf } from "../../server/db/app-db.ts";
import { present } from "../../common/present.ts";

async function readEvents(url: string, headers: Record<string, string>, count: number): Promise<Array<{ id: string; data: any }>> {
  const controller = new AbortController();
  const res = await fetch(url, { headers, signal: controller.signal });
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toContain("text/event-stream");
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  const events: Array<{ id: string; data: any }> = [];
  let buffer = "";
  while (events.length < count) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let sep: number;
    while ((sep = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, sep);
      buffer = buffer.slice(sep + 2);
      const fields = Object.fromEntries(block.split("\n").map((l) => [l.slice(0, l.indexOf(":")), l.slice(l.indexOf(":") + 1).trim()]));
      if (fields.event === "entry")
        events.push({ id: present(fields.id, "an entry's id"), data: JSON.parse(present(fields.data, "an entry's data")) });
    }
  }
  controller.abort();
  return events;
}

describe.each(STORE_KINDS)("ledger stream on %s store", (kind) => {
  let server: TestServer;
  let http: ReturnType<typeof serve>;
  let base: string;
  let auditor: string;

  const append = (n: number) =>
    Promise.all(
      Array.from({ length: n }, (_, i) =>
        server.ctx.ledger.writer.append({ kind: "test.stream", actor: { type: "service", id: "t" }, payload: { i } }),
      ),
    );

  beforeAll(async () => {
    server = await startTestServer(kind);
    http = serve({ fetch: server.app.fetch, port: 0, hostname: "127.0.0.1" });
    await new Promise((r) => http.once("listening", r));
    base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
    auditor = await server.token("auditor");
    await append(5);
  });
  afterAll(async () => {
    await new Promise((r) => http.close(r));
    await server.close();
  });

  it("resumes after Last-Event-ID, then delivers live entries in order", async () => {
    const size = (await server.ctx.ledger.reader.head()).size;
    const reading = readEvents(`${base}/v1/ledger/stream`, { authorization: `Bearer ${auditor}`, "last-event-id": "2" }, size - 3 + 4);
    await new Promise((r) => setTimeout(r, 200));
    await append(4);
    const events = await reading;
    expect(events.map((e) => Number(e.id))).toEqual(Array.from({ length: size - 3 + 4 }, (_, i) => 3 + i));
    expect(events.at(-1)!.data.kind).toBe("test.stream");
    expect(events.every((e) => Number(e.id) === e.data.index)).toBe(true);
  });

  it("delivers entries another process appended, which never reach this process's feed, in order", async () => {
    // A second writer on the same store stands in for another server process (maestro serve --workers, or several hosts).
    const other = new LedgerWriter(ledgerTablesOf(server.ctx.db), eventSigner(server.ctx.ledger.keyring.event));
    const byOther = (i: number) => other.append({ kind: "test.other", actor: { type: "service", id: "other" }, payload: { i } });
    const size = (await server.ctx.ledger.reader.head()).size;
    const reading = readEvents(`${base}/v1/ledger/stream?from=${size}`, { authorization: `Bearer ${auditor}` }, 4);
    await new Promise((r) => setTimeout(r, 200));
    await byOther(0);
    await byOther(1);
    await append(1); // a live item after a gap: the gap is read from the store first
    await byOther(2); // nothing follows it here: found by the quiet stream's store read
    const events = await reading;
    expect(events.map((e) => Number(e.id))).toEqual([size, size + 1, size + 2, size + 3]);
    expect(events.map((e) => e.data.kind)).toEqual(["test.other", "test.other", "test.stream", "test.other"]);
  });

  it("needs an auditor token and rejects a bad Last-Event-ID", async () => {
    expect((await fetch(`${base}/v1/ledger/stream`)).status).toBe(401);
    const bad = await fetch(
      `${base}/v1/ledger/stream`,
      invalidOnPurpose("a negative Last-Event-ID", { headers: { authorization: `Bearer ${auditor}`, "last-event-id": "-1" } }),
    );
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { field: string } }).error.field).toBe("Last-Event-ID");
    const badFrom = await fetch(
      `${base}/v1/ledger/stream?from=abc`,
      invalidOnPurpose("from is not an index", { headers: { authorization: `Bearer ${auditor}` } }),
    );
    expect(badFrom.status).toBe(400);
    expect(((await badFrom.json()) as { error: { field: string } }).error.field).toBe("from");
  });

  it("appends complete while a stream client reads nothing (no back-pressure on the writer)", async () => {
    const controller = new AbortController();
    const res = await fetch(`${base}/v1/ledger/stream?from=0`, {
      headers: { authorization: `Bearer ${auditor}` },
      signal: controller.signal,
    });
    expect(res.status).toBe(200);
    // The client never reads its body; appends must still complete promptly.
    const t0 = performance.now();
    await append(200);
    expect(performance.now() - t0).toBeLessThan(10_000);
    controller.abort();
  });
});
