// Content on POST /v1/mediate, end to end on both stores: scanned in memory, denied by the policy with a reason that
// says what to do, ledgered as digest and findings, and the secret's bytes nowhere: response, ledger, store, log.
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_CONTENT_BYTES } from "../../server/content/content-facts.ts";
import { SECRETS } from "../fixtures/content/secret-corpus.ts";
import { STORE_KINDS } from "../support/test-stores.ts";
import { startTestServer, type TestServer } from "../support/test-server.ts";
import { storeText } from "./store-text.ts";
import { captureServerLogs } from "../support/capture-logs.ts";

const sha256 = (text: string) => `sha256:${createHash("sha256").update(text).digest("hex")}`;

const write = (resource: string, content: string, overrides: Record<string, unknown> = {}) => ({
  runset: "rs-content",
  agent: "coder",
  session: "sess-content",
  tool: "write_file",
  capability: "repo.write",
  resource,
  args: { path: resource, bytes: Buffer.byteLength(content), contentDigest: sha256(content) },
  content,
  ...overrides,
});

describe.each(STORE_KINDS)("content on POST /v1/mediate (%s store)", (kind) => {
  let server: TestServer;
  let agent: string;
  let auditor: string;
  const logged = captureServerLogs();

  beforeAll(async () => {
    server = await startTestServer(kind);
    agent = await server.token("agent", "coder");
    auditor = await server.token("auditor");
    await server.registerRunset({ name: "rs-content", grants: [{ agent: "coder", capability: "repo.write", resource: "**" }] });
  });
  afterAll(() => server.close());

  async function ledgerText(index: number): Promise<string> {
    const entry = await server.call("GET", `/v1/ledger/entries/${index}`, { token: auditor });
    expect(entry.status).toBe(200);
    return Buffer.from(entry.body.canonical, "base64").toString("utf8");
  }

  it("allows a clean write and ledgers its digest, size and no findings", async () => {
    const content = "export const answer = 42;\n";
    const res = await server.call("POST", "/v1/mediate", { token: agent, body: write("src/answer.ts", content) });
    expect(res.status).toBe(200);
    expect(res.body.decision).toBe("allow");
    const event = JSON.parse(await ledgerText(res.body.ledgerIndex));
    expect(event.payload.content).toEqual({ bytes: Buffer.byteLength(content), digest: sha256(content), findings: [], unlisted: 0 });
  });

  it.each(SECRETS.map((s) => [s.name, s] as const))(
    "denies a write carrying a %s; its bytes appear in no response, ledger entry, table or log line",
    async (_name, item) => {
      const path = item.path === "deploy/.env" ? "deploy/settings.conf" : item.path;
      const res = await server.call("POST", "/v1/mediate", { token: agent, body: write(path, item.content) });
      expect(res.status).toBe(200);
      expect(res.body.decision).toBe("deny");
      expect(res.body.reasons.map((r: { code: string }) => r.code)).toContain("secret_detected");
      const reason = res.body.reasons.find((r: { code: string }) => r.code === "secret_detected");
      expect(reason.message).toContain(path);
      expect(reason.message).toMatch(/line \d+/);
      expect(reason.message).toContain("secrets.read");

      const ledgered = await ledgerText(res.body.ledgerIndex);
      const event = JSON.parse(ledgered);
      expect(event.payload.content.findings.length).toBeGreaterThan(0);
      expect(event.payload.content.findings[0]).toMatchObject({ path, fingerprint: expect.stringMatching(/^hmac-sha256:[0-9a-f]{64}$/) });
      expect(event.payload.call.args.contentDigest).toBe(sha256(item.content));

      const secret = item.secret!;
      expect(secret.length).toBeGreaterThan(15);
      expect(JSON.stringify(res.body)).not.toContain(secret);
      expect(ledgered).not.toContain(secret);
      expect(await storeText(server.ctx.db)).not.toContain(secret);
      expect(logged.join("\n")).not.toContain(secret);
    },
  );

  it("denies writing a never-written file whatever it holds", async () => {
    const res = await server.call("POST", "/v1/mediate", { token: agent, body: write("services/api/.env", "LOG_LEVEL=debug\n") });
    expect(res.body.decision).toBe("deny");
    expect(res.body.reasons.map((r: { code: string }) => r.code)).toEqual(["secret_file"]);
  });

  it("refuses content whose digest is not the one the tool reports (400 naming the field), and records nothing", async () => {
    const before = (await server.ctx.ledger.reader.head()).size;
    const body = write("src/a.ts", "const a = 1;\n");
    const res = await server.call("POST", "/v1/mediate", {
      token: agent,
      body: { ...body, args: { ...body.args, contentDigest: sha256("other") } },
    });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: "invalid_field", field: "/args/contentDigest" });
    expect((await server.ctx.ledger.reader.head()).size).toBe(before);
  });

  it("refuses content on a capability that takes none, and content that is not a string", async () => {
    const onRead = await server.call("POST", "/v1/mediate", {
      token: agent,
      body: { ...write("src/a.ts", "x"), capability: "repo.read", tool: "read_file" },
    });
    expect(onRead.status).toBe(400);
    expect(onRead.body.error.field).toBe("/content");
    const notText = await server.call("POST", "/v1/mediate", {
      token: agent,
      body: { ...write("src/a.ts", "x"), content: { text: "x" } },
      invalidOnPurpose: "content that is not a string",
    });
    expect(notText.status).toBe(400);
    expect(notText.body.error.field).toBe("/content");
  });

  it("answers 413 past the content bound and past the request bound, before any decision", async () => {
    const before = (await server.ctx.ledger.reader.head()).size;
    const big = "a".repeat(MAX_CONTENT_BYTES + 1);
    const res = await server.call("POST", "/v1/mediate", { token: agent, body: write("src/big.txt", big) });
    expect(res.status).toBe(413);
    expect(res.body.error).toMatchObject({ code: "payload_too_large", field: "/content" });
    const huge = await server.call("POST", "/v1/mediate", { token: agent, body: write("src/huge.txt", "a".repeat(4 * MAX_CONTENT_BYTES)) });
    expect(huge.status).toBe(413);
    expect((await server.ctx.ledger.reader.head()).size).toBe(before);
    // The larger bound is POST /v1/mediate's alone: other control routes keep theirs.
    const waiver = await server.call("POST", "/v1/waivers", {
      token: agent,
      body: { justification: "x".repeat(300 * 1024) },
      invalidOnPurpose: "a waiver request of one huge field, past the route's body bound",
    });
    expect(waiver.status).toBe(413);
  });
});
