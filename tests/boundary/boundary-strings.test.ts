// U+0000 and lone surrogates are refused at the HTTP boundary, in any body string or key and any path or query
// parameter, with a 400 naming the field (issue 14: they reached the store and answered 503 or 500).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../support/test-server.ts";

describe("strings the store cannot hold are refused at the boundary", () => {
  let server: TestServer;
  let tokens: Record<string, string>;

  beforeAll(async () => {
    server = await startTestServer("embedded");
    tokens = {
      agent: await server.token("agent", "coder"),
      engineer: await server.token("engineer"),
      auditor: await server.token("auditor"),
      admin: await server.token("admin"),
    };
    await server.registerRunset({ name: "rs", grants: [{ agent: "coder", capability: "repo.write", resource: "src/**" }] });
  });
  afterAll(() => server.close());

  const call = { runset: "rs", agent: "coder", session: "s", tool: "write_file", capability: "repo.write", resource: "src/a.ts", args: {} };

  it.each([
    ["resource", { ...call, resource: "src/\u0000x" }, "/resource"],
    ["tool", { ...call, tool: "w\u0000" }, "/tool"],
    ["an args value", { ...call, args: { path: "a\u0000" } }, "/args/path"],
    ["an args key", { ...call, args: { "k\u0000": 1 } }, "/args/k\u0000"],
    ["a lone surrogate", { ...call, resource: "src/\ud800" }, "/resource"],
  ])("mediate: NUL or a lone surrogate in %s is 400 naming it", async (_, body, field) => {
    const res = await server.call("POST", "/v1/mediate", { token: tokens.agent, body });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: "invalid_field", field });
  });

  it("the same holds for the other write routes' free text (waiver, hold, release)", async () => {
    const waiver = await server.call("POST", "/v1/waivers", {
      token: tokens.engineer,
      body: { runset: "rs", capability: "repo.write", resource: "src/\u0000", justification: "x", ticket: "T-1", ttlSeconds: 3600 },
      invalidOnPurpose: "a NUL in the resource (and an old request shape)",
    });
    expect(waiver.status).toBe(400);
    expect(waiver.body.error.field).toBe("/resource");
    const hold = await server.call("POST", "/v1/holds", {
      token: tokens.auditor,
      body: { scope: { type: "repository", id: "acme/\u0000" }, reason: "r" },
      invalidOnPurpose: "a NUL in the scope id, a one-letter reason",
    });
    expect(hold.status).toBe(400);
    expect(hold.body.error.field).toBe("/scope/id");
    const release = await server.call("POST", "/v1/releases", {
      token: tokens.admin,
      body: { repository: "acme/app", version: "1.0\u0000", runsets: ["rs"] },
      invalidOnPurpose: "a NUL in the version, no artifacts",
    });
    expect(release.status).toBe(400);
    expect(release.body.error.field).toBe("/version");
  });

  it.each([
    ["/v1/decisions/%00", "id"],
    ["/v1/releases/%00", "id"],
    ["/v1/waivers/%00", "id"],
    ["/v1/releases/%ED%A0%80/sbom", "id"],
    ["/v1/decisions?state=%00", "state"],
    ["/v1/decisions?session=%E0%A4", "session"],
  ])("GET %s is 400 naming %s", async (path, field) => {
    const res = await server.call("GET", path, { token: tokens.auditor, invalidOnPurpose: "a NUL or a broken UTF-8 sequence" });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: "invalid_field", field });
  });

  it("POST path parameters too, and the server is healthy after", async () => {
    const res = await server.call("POST", "/v1/mediate/%00/outcome", {
      token: tokens.agent,
      body: { status: "ok" },
      invalidOnPurpose: "a NUL decision id, an outcome without summary",
    });
    expect(res.status).toBe(400);
    expect(res.body.error.field).toBe("decisionId");
    expect((await server.call("POST", "/v1/mediate", { token: tokens.agent, body: call })).body.allow).toBe(true);
  });

  it("a literal percent sign, sent encoded, is an ordinary value", async () => {
    const res = await server.call("GET", "/v1/decisions?session=%25ab", { token: tokens.auditor });
    expect(res.status).toBe(200);
    const id = await server.call("GET", "/v1/releases/%25ab", { token: tokens.auditor });
    expect(id.body.error.message).not.toContain("percent-encoded");
  });
});
