// Policy activation over HTTP: a good bundle is ledgered then serves; a bad one is refused and the old one keeps serving.
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_BUNDLE_FILE } from "../../server/policy/index.ts";
import { STORE_KINDS } from "../support/test-stores.ts";
import { startTestServer, type TestServer } from "../support/test-server.ts";
import { itemAt } from "../../common/present.ts";

describe.each(STORE_KINDS)("policy activation on %s store", (kind) => {
  let server: TestServer;
  let security: string;

  beforeAll(async () => {
    server = await startTestServer(kind);
    security = await server.token("security");
  });
  afterAll(() => server.close());

  it("ledgers the bundle in force at startup", async () => {
    const events = await server.ctx.ledger.reader.entriesFor("policy.activated", "policy:active");
    expect(events).toHaveLength(1);
    expect(itemAt(events, 0, "policy.activated entries").event.payload.digest).toBe(server.ctx.policy.current().digest);
  });

  it("activates a valid bundle with a policy.activated event naming both digests", async () => {
    const before = server.ctx.policy.current().digest;
    const bundle = readFileSync(DEFAULT_BUNDLE_FILE).toString("base64");
    const res = await server.call("POST", "/v1/policy/activate", { token: security, body: { bundle } });
    expect(res.status).toBe(200);
    expect(res.body.previousDigest).toBe(before);
    const events = await server.ctx.ledger.reader.entriesFor("policy.activated", "policy:active");
    expect(events.at(-1)!.event.payload).toMatchObject({ digest: res.body.digest, previousDigest: before });
    expect(events.at(-1)!.event.actor).toMatchObject({ id: "security-1", role: "security" });
  });

  it("refuses a corrupt bundle, keeps the old one, and ledgers nothing", async () => {
    const before = server.ctx.policy.current().digest;
    const size = (await server.ctx.ledger.reader.head()).size;
    const res = await server.call("POST", "/v1/policy/activate", {
      token: security,
      body: { bundle: Buffer.from("not a tarball").toString("base64") },
    });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe("policy_bundle_invalid");
    expect(server.ctx.policy.current().digest).toBe(before);
    expect((await server.ctx.ledger.reader.head()).size).toBe(size);
  });

  it("rejects a missing or non-base64 bundle field with 400 naming it", async () => {
    for (const body of [{}, { bundle: 42 }, { bundle: "@@not base64@@" }]) {
      const res = await server.call("POST", "/v1/policy/activate", { token: security, body });
      expect(res.status).toBe(400);
      expect(res.body.error.field).toBe("/bundle");
    }
  });

  it("lets only security and admin activate", async () => {
    const res = await server.call("POST", "/v1/policy/activate", { token: await server.token("engineer"), body: { bundle: "AA==" } });
    expect(res.status).toBe(403);
  });
});
