// Run lifecycle events from agent runners: ledgered under the run, bad input refused with the field named.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { STORE_KINDS } from "../support/test-stores.ts";
import { startTestServer, type TestServer } from "../support/test-server.ts";

describe.each(STORE_KINDS)("run events on %s store", (kind) => {
  let server: TestServer;
  let agent: string;

  beforeAll(async () => {
    server = await startTestServer(kind);
    // A runner's token, bound to the agent it runs.
    agent = await server.token("agent", "runner-1", { agents: ["coder"], runsets: ["rs"] });
  });
  afterAll(() => server.close());

  it("ledgers run.budget_exhausted with the run as subject and the runner as actor", async () => {
    const payload = { runset: "rs", agent: "coder", session: "s-9", spent_usd: 1.25, cap_usd: 1, model: "claude-x" };
    const res = await server.call("POST", "/v1/runs/s-9/events", { token: agent, body: { kind: "run.budget_exhausted", payload } });
    expect(res.status).toBe(201);
    const entry = await server.ctx.ledger.reader.entry(res.body.ledgerIndex);
    expect(entry.event).toMatchObject({
      kind: "run.budget_exhausted",
      subject: { type: "run", id: "s-9" },
      actor: { id: "runner-1" },
      payload,
    });
  });

  it.each([
    ["an unknown kind", "s-1", { kind: "run.exploded", payload: { runset: "rs", agent: "a" } }, "/kind"],
    ["a missing payload field", "s-1", { kind: "run.finished", payload: { runset: "rs" } }, "/payload/agent"],
    ["an unknown payload field", "s-1", { kind: "run.finished", payload: { runset: "rs", agent: "a", apiKey: "x" } }, "/payload/apiKey"],
    ["a bad run id", "bad id!", { kind: "run.finished", payload: { runset: "rs", agent: "a" } }, "runId"],
  ])("rejects %s with 400 and writes nothing", async (name, runId, body, field) => {
    const before = (await server.ctx.ledger.reader.head()).size;
    const res = await server.call("POST", `/v1/runs/${encodeURIComponent(runId)}/events`, { token: agent, body, invalidOnPurpose: name });
    expect(res.status).toBe(400);
    expect(res.body.error.field).toBe(field);
    expect((await server.ctx.ledger.reader.head()).size).toBe(before);
  });

  it.each([
    ["an agent the token is not bound to", { runset: "rs", agent: "reviewer" }, "agent_mismatch", "/payload/agent"],
    ["a run-set the token is not bound to", { runset: "rs-other", agent: "coder" }, "runset_mismatch", "/payload/runset"],
  ])("refuses an event naming %s with 403 and writes nothing", async (_name, payload, code, field) => {
    const before = (await server.ctx.ledger.reader.head()).size;
    const res = await server.call("POST", "/v1/runs/s-1/events", { token: agent, body: { kind: "run.finished", payload } });
    expect(res.status).toBe(403);
    expect(res.body.error).toMatchObject({ code, field });
    expect((await server.ctx.ledger.reader.head()).size).toBe(before);
  });

  it("is for agents only", async () => {
    const res = await server.call("POST", "/v1/runs/s-1/events", {
      token: await server.token("engineer"),
      body: { kind: "run.finished", payload: { runset: "r", agent: "a" } },
    });
    expect(res.status).toBe(403);
  });
});
