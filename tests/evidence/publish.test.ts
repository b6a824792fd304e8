// Publishing: a hold placed after the publish decision was allowed but before release.published commits (evidence is
// gathered and signed in between) still stops it; and a release's evidence holds its own publish decision, not those of
// earlier releases of the same run-set (allowed or held), which publishing records in that run-set too.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { STORE_KINDS } from "../support/test-stores.ts";
import { startTestServer, type TestServer } from "../support/test-server.ts";
import { REPO, registerRunset, releaseBody } from "./support.ts";

describe.each(STORE_KINDS)("publishing on %s store", (kind) => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer(kind);
    await registerRunset(server);
  });
  afterAll(() => server.close());

  it.each([
    ["the repository", "2.0.0", { type: "repository", id: REPO }],
    ["this release", "2.0.1", { type: "release", id: `${REPO}@2.0.1` }],
    ["everything", "2.0.2", { type: "all" }],
  ])("a hold on %s placed after the allow blocks the publish", async (name, version, scope) => {
    const id = `race-${name.replaceAll(" ", "-")}`;
    const security = await server.token("security", "sec-1");
    const auditor = await server.token("auditor", "aud-1");
    const created = await server.call("POST", "/v1/releases", {
      token: security,
      body: releaseBody({ id, version, sessions: [], runsets: ["rs-rel"] }),
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const mediator = server.ctx.mediator;
    const mediate = mediator.mediate.bind(mediator);
    let holdId = "";
    // The auditor's hold lands right after the mediator answered allow.
    mediator.mediate = async (...args: Parameters<typeof mediate>) => {
      const decided = await mediate(...args);
      expect(decided.allow).toBe(true);
      const hold = await server.call("POST", "/v1/holds", { token: auditor, body: { scope, reason: "late finding" } });
      expect(hold.status).toBe(201);
      holdId = hold.body.id;
      return decided;
    };
    try {
      const res = await server.call("POST", `/v1/releases/${id}/publish`, { token: security });
      expect(res.status, JSON.stringify(res.body)).toBe(409);
      expect(res.body.error.code).toBe("release_blocked");
      expect(res.body.error.message).toContain(holdId);
    } finally {
      mediator.mediate = mediate;
    }
    expect((await server.call("GET", `/v1/releases/${id}`, { token: auditor })).body.release.state).toBe("draft");
    expect(await server.ctx.ledger.reader.entriesFor("release.published", `release:${id}`)).toEqual([]);
    // Cleared, the same release publishes, even with an agent's token owning the session "release:<id>": each publish
    // decision is taken in a fresh session of its own, since a session belongs to the token whose decision opened it.
    expect((await server.call("POST", `/v1/holds/${holdId}/clear`, { token: auditor, body: { reason: "resolved" } })).status).toBe(200);
    const squatter = {
      runset: "rs-elsewhere",
      agent: "coder",
      session: `release:${id}`,
      tool: "read_file",
      capability: "repo.read",
      resource: "src/a.ts",
      args: {},
    };
    expect((await server.call("POST", "/v1/mediate", { token: await server.token("agent", "coder"), body: squatter })).status).toBe(200);
    const published = await server.call("POST", `/v1/releases/${id}/publish`, { token: security });
    expect(published.status, JSON.stringify(published.body)).toBe(200);
  });

  it("cites only the release's own publish decision", async () => {
    const security = await server.token("security", "sec-1");
    const auditor = await server.token("auditor", "aud-1");
    const create = async (id: string, version: string) =>
      expect(
        (
          await server.call("POST", "/v1/releases", {
            token: security,
            body: releaseBody({ id, version, sessions: [], runsets: ["rs-rel"] }),
          })
        ).status,
      ).toBe(201);
    const publish = (id: string) => server.call("POST", `/v1/releases/${id}/publish`, { token: security });

    await create("rel-a", "3.0.0");
    const a = await publish("rel-a");
    expect(a.status).toBe(200);
    await create("rel-b", "3.0.1");
    const hold = await server.call("POST", "/v1/holds", {
      token: auditor,
      body: { scope: { type: "release", id: `${REPO}@3.0.1` }, reason: "held" },
    });
    const held = await publish("rel-b");
    expect(held.status).toBe(409);
    const heldDecisionId = /decision ([0-9a-f-]{36})/.exec(held.body.error.message)![1];
    await server.call("POST", `/v1/holds/${hold.body.id}/clear`, { token: auditor, body: { reason: "done" } });
    await create("rel-c", "3.0.2");
    const c = await publish("rel-c");
    expect(c.status).toBe(200);

    const bundle = await server.call("GET", "/v1/releases/rel-c/bundle", { token: auditor });
    expect(bundle.status).toBe(200);
    const events = bundle.body.events.map((e: { canonical: string }) => JSON.parse(Buffer.from(e.canonical, "base64").toString("utf8")));
    const decisionIds = events.filter((e: { kind: string }) => e.kind === "decision").map((e: { subject: { id: string } }) => e.subject.id);
    expect(decisionIds).not.toContain(a.body.release.published.decisionId);
    expect(decisionIds).not.toContain(heldDecisionId);
    expect(decisionIds).toEqual([c.body.release.published.decisionId]);
  });
});
