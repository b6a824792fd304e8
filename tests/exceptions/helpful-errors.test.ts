// Errors and warnings a newcomer meets first: every bad field at once, grants that cannot match, their own waivers, a token from another data dir.
import { generateKeyPairSync } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { issueToken } from "../../server/index.ts";
import { startTestServer, type TestServer } from "../support/test-server.ts";

describe("helpful errors", () => {
  let server: TestServer;
  let agent: string;

  beforeAll(async () => {
    server = await startTestServer("embedded");
    agent = await server.token("agent", "coder");
  });
  afterAll(() => server.close());

  it("lists every field at fault in error.details, in words, with error.field the first", async () => {
    const res = await server.call("POST", "/v1/mediate", {
      token: agent,
      body: { runset: "rs-1", agent: "coder", tool: "read_file", capability: "repo.rread", resource: "src/a.ts", args: {}, extra: 1 },
      invalidOnPurpose: "no session, an unknown field and a misspelt capability",
    });
    expect(res.status).toBe(400);
    const { error } = res.body;
    expect(error.code).toBe("invalid_field");
    expect(error.details).toEqual(
      expect.arrayContaining([
        { field: "/session", message: "session is required" },
        { field: "/extra", message: "extra is not a known field" },
        { field: "/capability", message: expect.stringMatching(/^capability must be one of "repo.read", "repo.write", /) },
      ]),
    );
    expect(error.details).toHaveLength(3);
    expect(error.field).toBe(error.details[0].field);
    expect(error.message).toContain("session is required");
    expect(error.message).not.toContain("must have required property");
  });

  it("words nested fields by name and index", async () => {
    const security = await server.token("security");
    const res = await server.call("POST", "/v1/releases", {
      token: security,
      body: { repository: "acme/app", version: "1.0.0", artifacts: [{ name: "a.tgz", digest: { sha256: "xyz" } }], runsets: ["rs"] },
      invalidOnPurpose: "a digest that is not hex",
    });
    expect(res.status).toBe(400);
    expect(res.body.error.details).toEqual([
      { field: "/artifacts/0/digest/sha256", message: "artifacts[0].digest.sha256 must match ^[0-9a-f]{64}$" },
    ]);
  });

  it("warns at run-set registration of a grant that cannot match, and registers it all the same", async () => {
    const res = await server.call("POST", "/v1/runsets", {
      token: await server.token("security"),
      body: {
        name: "rs-warn",
        grants: [
          { agent: "coder", capability: "repo.read", resource: "src/**" },
          { agent: "coder", capability: "network.egress", resource: "*" },
        ],
      },
    });
    expect(res.status).toBe(201);
    expect(res.body.warnings).toEqual([{ field: "/grants/1/resource", message: expect.stringContaining('use "**"') }]);
    // What the warning says: "*" does not cover a dotted host.
    const call = {
      runset: "rs-warn",
      agent: "coder",
      session: "s-1",
      tool: "fetch",
      capability: "network.egress",
      resource: "docs.example.com",
      args: {},
    };
    expect((await server.call("POST", "/v1/mediate", { token: agent, body: call })).body.allow).toBe(false);
  });

  it("lets an engineer read their own waivers and no one else's", async () => {
    const body = {
      capability: "repo.write",
      resource: "src/**",
      agents: ["coder"],
      waives: ["no_grant"],
      justification: "hotfix for INC-1 needs a write",
      durationSeconds: 3600,
    };
    const mine = await server.call("POST", "/v1/waivers", { token: await server.token("engineer", "eng-a"), body });
    expect(mine.status).toBe(201);
    await server.call("POST", "/v1/waivers", { token: await server.token("engineer", "eng-b"), body });
    const list = await server.call("GET", "/v1/waivers", { token: await server.token("engineer", "ENG-A") });
    expect(list.status).toBe(200);
    expect(list.body.waivers.map((w: any) => w.id)).toEqual([mine.body.id]);
    expect((await server.call("GET", `/v1/waivers/${mine.body.id}`, { token: await server.token("engineer", "eng-a") })).status).toBe(200);
    const theirs = await server.call("GET", `/v1/waivers/${mine.body.id}`, { token: await server.token("engineer", "eng-b") });
    expect(theirs.status).toBe(404);
    expect((await server.call("GET", "/v1/waivers", { token: await server.token("auditor") })).body.waivers).toHaveLength(2);
    // Engineers still read no other evidence.
    expect((await server.call("GET", "/v1/holds", { token: await server.token("engineer", "eng-a") })).status).toBe(403);
  });

  it("says which key ids the server knows when a token names another", async () => {
    const { privateKey } = generateKeyPairSync("ed25519");
    const stranger = await issueToken({ kid: "kid-from-elsewhere", privateKey }, "auditor", "aud-1", 600);
    const res = await server.call("GET", "/v1/holds", { token: stranger });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe("token_bad_signature");
    expect(res.body.error.message).toContain('"kid-from-elsewhere"');
    expect(res.body.error.message).toContain(JSON.stringify(server.ctx.ledger.keyring.token.kid));
    expect(res.body.error.message).toContain("--data-dir");
  });
});
