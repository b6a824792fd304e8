// GET /metrics: Prometheus text from prom-client, with decisions by result and reason, batch sizes, checkpoint age.
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../support/test-server.ts";
import { STORE_KINDS } from "../support/test-stores.ts";

const call = (resource: string) => ({
  runset: "rs-m",
  agent: "coder",
  session: "s-m",
  tool: "read_file",
  capability: "repo.read",
  resource,
  args: { path: resource },
});

describe.each(STORE_KINDS)("metrics (%s)", (kind) => {
  let server: TestServer;
  let agent: string;

  beforeAll(async () => {
    server = await startTestServer(kind);
    agent = await server.token("agent", "coder");
    await server.registerRunset({ name: "rs-m", grants: [{ agent: "coder", capability: "repo.read", resource: "src/**" }] });
  });
  afterAll(() => server.close());

  const scrape = async (role: "auditor" | "agent" = "auditor") => server.call("GET", "/metrics", { token: await server.token(role) });

  it("counts decisions by result and reason code, and observes commit batch sizes", async () => {
    const before = await scrape();
    expect(before.status).toBe(200);
    expect(before.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(before.body).not.toMatch(/maestro_decisions_total\{/);
    expect((await server.call("POST", "/v1/mediate", { token: agent, body: call("src/a.ts") })).body.allow).toBe(true);
    const denied = await server.call("POST", "/v1/mediate", { token: agent, body: call("secrets/key.pem") });
    expect(denied.body.allow).toBe(false);
    const text: string = (await scrape()).body;
    const allowReason = /maestro_decisions_total\{result="allow",reason="([^"]+)"\} 1/.exec(text);
    expect(allowReason, text).not.toBeNull();
    for (const r of denied.body.reasons)
      expect(text).toContain(`maestro_decisions_total{result="${denied.body.decision}",reason="${r.code}"} 1`);
    expect(Number(/maestro_ledger_append_batch_size_count (\d+)/.exec(text)?.[1])).toBeGreaterThanOrEqual(2);
    expect(Number(/maestro_ledger_append_batch_seconds_count (\d+)/.exec(text)?.[1])).toBeGreaterThanOrEqual(2);
    expect(text).toMatch(/^maestro_store_errors_total 0$/m);
  });

  it("reports the newest checkpoint's age, and no witness lag without witnesses", async () => {
    await server.ctx.ledger.checkpointer.issue({ force: true });
    const text: string = (await scrape()).body;
    const age = Number(/^maestro_checkpoint_age_seconds (\S+)$/m.exec(text)?.[1]);
    expect(age).toBeGreaterThanOrEqual(0);
    expect(age).toBeLessThan(60);
    expect(text).toMatch(/^maestro_stream_readers 0$/m);
    expect(text).not.toMatch(/maestro_witness_lag_entries\{/);
  });

  it("counts a batch the store failed (the 503 ledger_unavailable its callers got)", async () => {
    const { db } = server.ctx;
    await sql`alter table ledger_entries rename to ledger_entries_away`.execute(db);
    try {
      const res = await server.call("POST", "/v1/mediate", { token: agent, body: call("src/b.ts") });
      expect(res.status).toBe(503);
      expect((await scrape()).body).toMatch(/^maestro_store_errors_total 1$/m);
    } finally {
      await sql`alter table ledger_entries_away rename to ledger_entries`.execute(db);
    }
  });

  it("is read with an evidence role, like the rest of the Evidence API", async () => {
    expect((await scrape("agent")).status).toBe(403);
    expect((await server.call("GET", "/metrics")).status).toBe(401);
  });
});
