// Reads teach the session (issue #24 item 4), end to end on both stores: an outcome reporting what a tool read is
// scanned in memory; a finding is ledgered as facts, marks the session through the outcome's fold, and the policy then
// asks a person before the session egresses or releases. The secret's bytes are nowhere: response, ledger, store, log.
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { MAX_CONTENT_BYTES } from "../../server/content/content-facts.ts";
import { SECRETS } from "../fixtures/content/secret-corpus.ts";
import { STORE_KINDS } from "../support/test-stores.ts";
import { startTestServer, type TestServer } from "../support/test-server.ts";
import { verifyJson } from "../tamper/tamper-harness.ts";
import { storeText } from "./store-text.ts";
import { captureServerLogs } from "../support/capture-logs.ts";

// A verify of the whole store at the end: slow on a loaded 2-core machine.
vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

const sha256 = (text: string) => `sha256:${createHash("sha256").update(text).digest("hex")}`;
const awsIni = SECRETS.find((s) => s.name === "AWS secret access key")!;
const pem = SECRETS.find((s) => s.name === "PEM RSA private key")!;
const codes = (body: { reasons: Array<{ code: string }> }) => body.reasons.map((r) => r.code);

const call = (session: string, capability: string, resource: string) => ({
  runset: "rs-read",
  agent: "coder",
  session,
  tool: capability === "repo.read" ? "read_file" : capability === "release.publish" ? "publish_release" : "fetch_url",
  capability,
  resource,
  args: {},
});

describe.each(STORE_KINDS)("reads teach the session (%s store)", (kind) => {
  let server: TestServer;
  let agent: string;
  let otherAgent: string;
  let auditor: string;
  const logged = captureServerLogs();
  let closed = false;

  beforeAll(async () => {
    server = await startTestServer(kind);
    agent = await server.token("agent", "coder");
    otherAgent = await server.token("agent", "coder-2", { agents: ["coder"] });
    auditor = await server.token("auditor");
    await server.registerRunset({
      name: "rs-read",
      grants: [
        { agent: "coder", capability: "repo.read", resource: "**" },
        { agent: "coder", capability: "network.egress", resource: "*.example.com" },
        { agent: "coder", capability: "release.publish", resource: "acme/api@*" },
      ],
    });
  });
  afterAll(async () => {
    if (!closed) await server?.close();
  });

  async function mediate(session: string, capability: string, resource: string, token = agent) {
    const res = await server.call("POST", "/v1/mediate", { token, body: call(session, capability, resource) });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body;
  }

  async function read(session: string, resource: string, content: string | undefined) {
    const decision = await mediate(session, "repo.read", resource);
    expect(decision.decision).toBe("allow");
    const outcome = {
      status: "ok",
      summary: `read ${resource}`,
      outputDigest: sha256(content ?? ""),
      ...(content !== undefined && { content }),
    };
    const res = await server.call("POST", `/v1/mediate/${decision.decisionId}/outcome`, { token: agent, body: outcome });
    return { decision, res };
  }

  async function ledgerText(index: number): Promise<string> {
    const entry = await server.call("GET", `/v1/ledger/entries/${index}`, { token: auditor });
    expect(entry.status).toBe(200);
    return Buffer.from(entry.body.canonical, "base64").toString("utf8");
  }

  const headSize = async () => (await server.ctx.ledger.reader.head()).size;

  it("a read holding a secret marks the session: egress and release then need approval; the secret is stored nowhere", async () => {
    const { res } = await read("s-secret", "config/aws.ini", awsIni.content);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const ledgered = await ledgerText(res.body.ledgerIndex);
    const event = JSON.parse(ledgered);
    expect(event.kind).toBe("outcome");
    expect(event.payload.content).toMatchObject({ bytes: Buffer.byteLength(awsIni.content), digest: sha256(awsIni.content), unlisted: 0 });
    const finding = event.payload.content.findings[0];
    expect(finding).toMatchObject({ path: "config/aws.ini", rule: expect.stringMatching(/^aws\//) });
    expect(finding.fingerprint).toMatch(/^hmac-sha256:[0-9a-f]{64}$/);

    const responses = [res.body];
    for (const [capability, resource] of [
      ["network.egress", "api.example.com"],
      ["release.publish", "acme/api@1.2.0"],
    ] as const) {
      const decided = await mediate("s-secret", capability, resource);
      responses.push(decided);
      expect(decided.decision, capability).toBe("require_approval");
      expect(codes(decided)).toEqual(["session_holds_secret"]);
      expect(decided.reasons[0].message).toContain(`${finding.rule} in config/aws.ini line ${finding.line}`);
      expect(decided.reasons[0].message).toContain(`${capability} on ${resource}`);
    }
    // Reading on is unchanged, and another session of the same agent is not marked.
    expect((await mediate("s-secret", "repo.read", "src/app.ts")).decision).toBe("allow");
    expect((await mediate("s-other", "network.egress", "api.example.com")).decision).toBe("allow");

    const secret = awsIni.secret!;
    expect(secret.length).toBeGreaterThan(15);
    expect(JSON.stringify(responses)).not.toContain(secret);
    expect(ledgered).not.toContain(secret);
    expect(await storeText(server.ctx.db)).not.toContain(secret);
    expect(logged.join("\n")).not.toContain(secret);
  });

  it("a clean read, or an outcome without content, changes nothing; the clean read's facts are ledgered", async () => {
    const clean = "export const region = 'eu-west-1';\n";
    const { res } = await read("s-clean", "src/region.ts", clean);
    expect(res.status).toBe(200);
    expect(JSON.parse(await ledgerText(res.body.ledgerIndex)).payload.content).toEqual({
      bytes: Buffer.byteLength(clean),
      digest: sha256(clean),
      findings: [],
      unlisted: 0,
    });
    const none = await read("s-clean", "src/other.ts", undefined);
    expect(none.res.status).toBe(200);
    expect(JSON.parse(await ledgerText(none.res.body.ledgerIndex)).payload).not.toHaveProperty("content");
    expect((await mediate("s-clean", "network.egress", "api.example.com")).decision).toBe("allow");
  });

  it("a waiver of session_holds_secret, approved by someone else, lets the egress through and is cited", async () => {
    const { res } = await read("s-waived", "keys/deploy.txt", pem.content);
    expect(res.status).toBe(200);
    expect((await mediate("s-waived", "network.egress", "api.example.com")).decision).toBe("require_approval");
    const requested = await server.call("POST", "/v1/waivers", {
      token: await server.token("engineer", "eng-1"),
      body: {
        capability: "network.egress",
        resource: "api.example.com",
        agents: ["coder"],
        waives: ["session_holds_secret"],
        justification: "the deploy key stays on this host; the API call carries none of it",
        durationSeconds: 3600,
      },
    });
    expect(requested.status, JSON.stringify(requested.body)).toBe(201);
    const approved = await server.call("POST", `/v1/waivers/${requested.body.id}/approve`, {
      token: await server.token("security", "sec-1"),
      body: {},
    });
    expect(approved.body.state).toBe("active");
    const lifted = await mediate("s-waived", "network.egress", "api.example.com");
    expect(lifted.decision).toBe("allow");
    expect(lifted.waivers).toEqual([requested.body.id]);
    // The waiver names one host: another still needs a person.
    expect((await mediate("s-waived", "network.egress", "other.example.com")).decision).toBe("require_approval");
  });

  it("refuses bad content with 400 or 413 naming the field, and an outcome of another token's decision with 409, recording nothing", async () => {
    const decision = await mediate("s-bad", "repo.read", "README.md");
    const outcome = (content: unknown) => ({ status: "ok", summary: "read", outputDigest: sha256(""), content });
    const post = (body: unknown, token = agent, invalidOnPurpose?: string) =>
      server.call("POST", `/v1/mediate/${decision.decisionId}/outcome`, { token, body, invalidOnPurpose });
    const before = await headSize();

    const notText = await post(outcome({ text: "x" }), agent, "content that is not a string");
    expect(notText.status).toBe(400);
    expect(notText.body.error.field).toBe("/content");
    const tooBig = await post(outcome("a".repeat(MAX_CONTENT_BYTES + 1)));
    expect(tooBig.status).toBe(413);
    expect(tooBig.body.error).toMatchObject({ code: "payload_too_large", field: "/content" });
    const pastTheRequestBound = await post(outcome("a".repeat(4 * MAX_CONTENT_BYTES)));
    expect(pastTheRequestBound.status).toBe(413);
    const foreign = await post(outcome(awsIni.content), otherAgent);
    expect(foreign.status).toBe(409);
    expect(foreign.body.error.field).toBe("decisionId");
    const unknown = await server.call("POST", `/v1/mediate/${crypto.randomUUID()}/outcome`, {
      token: agent,
      body: outcome(awsIni.content),
    });
    expect(unknown.status).toBe(409);
    expect(await headSize()).toBe(before);
    expect((await mediate("s-bad", "network.egress", "api.example.com")).decision).toBe("allow");

    // At the bound exactly, content is taken.
    const atBound = await post(outcome("a".repeat(MAX_CONTENT_BYTES)));
    expect(atBound.status).toBe(200);
    const twice = await post(outcome(awsIni.content));
    expect(twice.status).toBe(409);
    expect((await mediate("s-bad", "network.egress", "api.example.com")).decision).toBe("allow");
  });

  it("ledger verify replays the outcome folds to the same session rows", async () => {
    await server.close({ keepStore: true });
    closed = true;
    try {
      const run = await verifyJson(server.store);
      expect(run.json.projections).toMatchObject({ findings: [], refused: [] });
      expect(run.code).toBe(0);
    } finally {
      await server.store.cleanup();
    }
  });
});
