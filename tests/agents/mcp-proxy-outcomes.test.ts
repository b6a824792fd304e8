// The proxy's held outcomes against a real server, which commits a decision and the outcomes it carries all or nothing:
// a request that fails must not take them down with it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deferOutcomes } from "../../agents/mediator-client/deferred-outcomes.ts";
import { HttpMediatorClient } from "../../agents/mediator-client/http-mediator-client.ts";
import type { MediateCall, Outcome } from "../../agents/mediator-client/mediator-client.ts";
import { whileInvalidOnPurpose } from "../support/invalid-on-purpose.ts";
import { STORE_KINDS } from "../support/test-stores.ts";
import { startTestServer, type TestServer } from "./support/maestro-server.ts";

const ok: Outcome = { status: "ok", summary: "read", outputDigest: `sha256:${"0".repeat(64)}` };

describe.each(STORE_KINDS)("mcp-proxy held outcomes (%s store)", (kind) => {
  let server: TestServer;
  const runset = `held-${kind}`;
  beforeAll(async () => {
    server = await startTestServer(kind);
    await server.register(runset, [{ agent: "proxy", capability: "repo.read", resource: "**" }]);
  });
  afterAll(async () => {
    await server?.close();
  });

  const setup = async (session: string) => {
    const http = new HttpMediatorClient({ url: server.url, token: await server.token("agent", "proxy") });
    // A hold longer than the test: every outcome rides with a decision or goes out on flush().
    const client = deferOutcomes(http, () => session, 60_000);
    const call = (resource: string, capability = "repo.read"): MediateCall => ({
      runset,
      agent: "proxy",
      session,
      tool: "read_text_file",
      capability,
      resource,
      args: {},
    });
    const outcomesOf = async (ids: string[]) =>
      (await server.events("outcome")).filter((e) => ids.includes(e.subject.id)).map((e) => e.subject.id);
    const decisionsOn = async (resource: string) =>
      (await server.events("decision")).filter((e) => e.payload.call.session === session && e.payload.call.resource === resource);
    return { http, client, call, outcomesOf, decisionsOn };
  };

  it("more than the schema's 16 held outcomes, then a request the server refuses (400): every outcome is ledgered", async () => {
    const { http, client, call, outcomesOf } = await setup(`held-many-${kind}`);
    const ids: string[] = [];
    for (let i = 0; i < 17; i++) ids.push((await client.mediate(call(`src/f${i}.ts`))).decisionId);
    for (const id of ids) await client.recordOutcome(id, ok);
    const next = await client.mediate(call("src/next.ts"));
    expect(next.decision).toBe("allow");
    await client.recordOutcome(next.decisionId, ok);
    ids.push(next.decisionId);
    const tooLong = whileInvalidOnPurpose("a resource past 2,048 characters", () => client.mediate(call(`src/${"x".repeat(2100)}`)));
    await expect(tooLong).rejects.toThrow(/resource|2048|invalid/i);
    await client.flush();
    expect((await outcomesOf(ids)).sort()).toEqual([...ids].sort());
    http.close();
  });

  it("a refused carried outcome (409) records nothing of its request: that call fails, the others carried with it land", async () => {
    const { http, client, call, outcomesOf, decisionsOn } = await setup(`held-refused-${kind}`);
    const good = (await client.mediate(call("src/good.ts"))).decisionId;
    const denied = await client.mediate(call("src/w.ts", "repo.write"));
    expect(denied.decision).toBe("deny");
    await client.recordOutcome(good, ok);
    await client.recordOutcome(denied.decisionId, ok); // a bug elsewhere: an outcome for a tool that was not allowed
    await expect(client.mediate(call("src/refused.ts"))).rejects.toThrow(/nothing of this request was recorded/);
    expect(await decisionsOn("src/refused.ts")).toEqual([]); // no decision the caller never got
    // The refused outcome is not forgotten: it fails the session's next call, sent on its own.
    await expect(client.mediate(call("src/after.ts"))).rejects.toThrow(/no allowed decision/);
    await expect(client.mediate(call("src/later.ts"))).resolves.toMatchObject({ decision: "allow" });
    await client.flush();
    expect(await outcomesOf([good, denied.decisionId])).toEqual([good]);
    http.close();
  });
});
