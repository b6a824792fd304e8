// Decision search on both stores, as the auditor's console uses it: by agent, capability, result, reason code (read
// from the signed events) and time range, combined and paged; each bad parameter a 400 naming it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { STORE_KINDS } from "../support/test-stores.ts";
import { startTestServer, type TestServer } from "../support/test-server.ts";
import { publishedFixture, type PublishedFixture } from "./support.ts";

describe.each(STORE_KINDS)("decision search on %s store", (kind) => {
  let server: TestServer;
  let fixture: PublishedFixture;
  let auditor: string;
  let started: string;

  beforeAll(async () => {
    server = await startTestServer(kind);
    started = new Date(Date.now() - 1000).toISOString();
    fixture = await publishedFixture(server);
    auditor = await server.token("auditor", "aud-1");
    // The published-release fixture makes some forty ledger appends and a release: on the embedded store, on a busy
    // machine, that can pass the default hook bound.
  }, 180_000);
  afterAll(() => server?.close());

  const search = async (query: string) => {
    const res = await server.call("GET", `/v1/decisions?${query}`, { token: auditor });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body.items as Array<{ decisionId: string; agent: string; capability: string; decision: string; createdAt: string }>;
  };

  it("finds the decision a hold denied by its reason code, and only that one", async () => {
    const found = await search("reason=hold_active");
    expect(found.map((d) => d.decisionId)).toEqual([fixture.blockedDecisionId]);
    expect(found[0]!.decision).toBe("deny");
    expect(await search("reason=hold_active&decision=allow")).toEqual([]);
    expect(await search("reason=no_such_reason")).toEqual([]);
  });

  it("finds a denied call by each reason code its signed event gives", async () => {
    const denied = await search("agent=coder&decision=deny");
    expect(denied).toHaveLength(1);
    const detail = await server.call("GET", `/v1/decisions/${denied[0]!.decisionId}`, { token: auditor });
    const codes = (detail.body.decision.event.payload.reasons as Array<{ code: string }>).map((r) => r.code);
    expect(codes.length).toBeGreaterThan(0);
    for (const code of codes) expect((await search(`reason=${code}`)).map((d) => d.decisionId)).toContain(denied[0]!.decisionId);
  });

  it("narrows by agent and capability, and by time range", async () => {
    const tests = await search("agent=coder&capability=tests.run");
    expect(tests).toHaveLength(1);
    expect(tests[0]).toMatchObject({ agent: "coder", capability: "tests.run", decision: "allow" });
    expect(await search("agent=nobody")).toEqual([]);
    const all = await search("limit=500");
    expect(all.length).toBeGreaterThanOrEqual(5);
    expect(await search(`since=${encodeURIComponent(started)}`)).toHaveLength(all.length);
    expect(await search(`until=${encodeURIComponent(started)}`)).toEqual([]);
    const newest = all[0]!.createdAt;
    const until = await search(`until=${encodeURIComponent(newest)}`);
    expect(until.every((d) => d.createdAt < newest)).toBe(true);
    expect(until.length).toBeLessThan(all.length);
  });

  it("pages a filtered search with its cursor", async () => {
    const seen: string[] = [];
    let cursor = "";
    for (let i = 0; i < 10; i++) {
      const res = await server.call("GET", `/v1/decisions?agent=coder&limit=1${cursor ? `&cursor=${cursor}` : ""}`, { token: auditor });
      seen.push(...res.body.items.map((d: { decisionId: string }) => d.decisionId));
      if (!res.body.nextCursor) break;
      cursor = res.body.nextCursor;
    }
    expect(seen).toEqual((await search("agent=coder")).map((d) => d.decisionId));
    expect(seen.length).toBeGreaterThan(1);
  });

  it("refuses bad search parameters with a 400 naming the parameter", async () => {
    const cases: Array<[string, string]> = [
      ["reason=Not%20A%20Code", "reason"],
      ["reason=" + "a".repeat(65), "reason"],
      ["decision=maybe", "decision"],
      ["capability=Repo%20Write", "capability"],
      ["agent=", "agent"],
      ["since=yesterday", "since"],
      ["until=2026-12-03T14:00:00", "until"],
      ["since=2026-12-03T14:00:00Z&until=2026-12-03T13:00:00Z", "since"],
    ];
    for (const [query, field] of cases) {
      const res = await server.call("GET", `/v1/decisions?${query}`, { token: auditor, invalidOnPurpose: `bad ${field}` });
      expect(res.status, query).toBe(400);
      expect(res.body.error.field, query).toBe(field);
    }
  });
});
