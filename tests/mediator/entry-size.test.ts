// A tool call whose decision event would not fit one C2SP entry-bundle entry is a 400 naming the field; at the bound it is appended and served as a tile.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_ENTRY_BYTES, parseEntryBundle } from "../../ledger/core/index.ts";
import { startTestServer, type TestServer } from "../support/test-server.ts";

// The bound is on the canonical bytes, which do not depend on the store: one (embedded) store is enough.
describe("decision events that always fit a tile", () => {
  let server: TestServer;
  let agent: string;
  const call = (note: string, session: string) => ({
    runset: "rs-1",
    agent: "coder",
    session,
    tool: "write_file",
    capability: "repo.read",
    resource: "src/app.ts",
    args: { note },
  });

  beforeAll(async () => {
    server = await startTestServer("embedded");
    agent = await server.token("agent", "coder");
    await server.registerRunset({
      name: "rs-1",
      budget_cap_usd: 1,
      grants: [{ agent: "coder", capability: "repo.read", resource: "src/**" }],
    });
  });
  afterAll(() => server.close());

  /** The padding that makes a decision event exactly `target` bytes, measured on a first small call (ids and times have fixed lengths). */
  async function noteFor(target: number): Promise<string> {
    const probe = await server.call("POST", "/v1/mediate", { token: agent, body: call("a", "s-probe") });
    expect(probe.status).toBe(200);
    const { canonical } = await server.ctx.ledger.reader.entry(probe.body.ledgerIndex);
    return "a".repeat(1 + target - canonical.length);
  }

  it("appends a decision of exactly 65,535 bytes and serves its entry bundle", async () => {
    const res = await server.call("POST", "/v1/mediate", { token: agent, body: call(await noteFor(MAX_ENTRY_BYTES), "s-probe") });
    expect(res.status, JSON.stringify(res.body).slice(0, 300)).toBe(200);
    const entry = await server.ctx.ledger.reader.entry(res.body.ledgerIndex);
    expect(entry.canonical.length).toBe(MAX_ENTRY_BYTES);
    const { size } = await server.ctx.ledger.reader.head();
    const tile = Math.floor(res.body.ledgerIndex / 256);
    const width = Math.min(256, size - tile * 256);
    const bundle = await server.app.request(`/tlog/tile/entries/${String(tile).padStart(3, "0")}${width < 256 ? `.p/${width}` : ""}`, {
      headers: { authorization: `Bearer ${await server.token("auditor")}` },
    });
    expect(bundle.status).toBe(200);
    expect(parseEntryBundle(new Uint8Array(await bundle.arrayBuffer()))[res.body.ledgerIndex % 256]).toEqual(entry.canonical);
  });

  it("refuses one byte more with 400 naming the field, and appends nothing", async () => {
    const note = await noteFor(MAX_ENTRY_BYTES + 1);
    const before = await server.ctx.ledger.reader.head();
    const res = await server.call("POST", "/v1/mediate", { token: agent, body: call(note, "s-probe") });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: "invalid_field", field: "/args/note" });
    expect(res.body.error.message).toContain(`${MAX_ENTRY_BYTES + 1} bytes`);
    expect((await server.ctx.ledger.reader.head()).size).toBe(before.size);
  });

  it("names the args as a whole when many members make them large", async () => {
    const args = Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`k${i}`, "b".repeat(7_200)]));
    const res = await server.call("POST", "/v1/mediate", { token: agent, body: { ...call("", "s-many"), args } });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: "invalid_field", field: "/args" });
  });
});
