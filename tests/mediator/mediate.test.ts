// End-to-end data path over HTTP on both stores: tool call → policy decision → signed ledger append → evidence read.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_MEDIATE_BODY_BYTES } from "../../server/http/routes/mediate.ts";
import { STORE_KINDS } from "../support/test-stores.ts";
import { startTestServer, type TestServer } from "../support/test-server.ts";

const call = (overrides: Record<string, unknown> = {}) => ({
  runset: "rs-1",
  agent: "coder",
  session: "sess-1",
  tool: "read_file",
  capability: "repo.read",
  resource: "src/app.ts",
  args: { path: "src/app.ts" },
  ...overrides,
});

const digest = `sha256:${"ab".repeat(32)}`;

describe.each(STORE_KINDS)("mediator on %s store", (kind) => {
  let server: TestServer;
  let agent: string;
  let auditor: string;

  beforeAll(async () => {
    server = await startTestServer(kind);
    agent = await server.token("agent", "coder");
    auditor = await server.token("auditor");
    await server.registerRunset({
      name: "rs-1",
      budget_cap_usd: 1,
      grants: [
        { agent: "coder", capability: "repo.read", resource: "src/**" },
        { agent: "coder", capability: "network.egress", resource: "docs.example.com" },
        { agent: "coder", capability: "secrets.read", resource: "NPM_TOKEN" },
        { agent: "coder", capability: "tests.run", resource: "npm test" },
      ],
    });
  });
  afterAll(() => server.close());

  it("allows a granted call and puts the decision on the ledger before answering", async () => {
    const res = await server.call("POST", "/v1/mediate", { token: agent, body: call() });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ decision: "allow", allow: true });
    expect(res.body.policyDigest).toMatch(/^sha256:[0-9a-f]{64}$/);
    const entry = await server.call("GET", `/v1/ledger/entries/${res.body.ledgerIndex}`, { token: auditor });
    expect(entry.status).toBe(200);
    expect(entry.body.event.kind).toBe("decision");
    expect(entry.body.event.subject).toEqual({ type: "decision", id: res.body.decisionId });
    expect(entry.body.event.payload.policy.digest).toBe(res.body.policyDigest);
    expect(entry.body.event.payload.decision).toBe("allow");
  });

  it("links a decision's inclusion proof at the newest signed checkpoint's size, once one covers it", async () => {
    const res = await server.call("POST", "/v1/mediate", { token: agent, body: call({ session: "sess-proof" }) });
    const before = await server.call("GET", `/v1/decisions/${res.body.decisionId}`, { token: auditor });
    expect(before.body.decision.links).toMatchObject({ checkpoint: "/v1/ledger/checkpoint", inclusion: null });
    const checkpoint = await server.ctx.ledger.checkpointer.issue();
    const after = await server.call("GET", `/v1/decisions/${res.body.decisionId}`, { token: auditor });
    expect(after.body.decision.links.inclusion).toBe(`/v1/ledger/proofs/inclusion?index=${res.body.ledgerIndex}&size=${checkpoint.size}`);
    expect((await server.call("GET", after.body.decision.links.inclusion, { token: auditor })).status).toBe(200);
  });

  it("denies an ungranted call with a stable reason code, still ledgered", async () => {
    const res = await server.call("POST", "/v1/mediate", { token: agent, body: call({ resource: "etc/passwd" }) });
    expect(res.status).toBe(200);
    expect(res.body.allow).toBe(false);
    expect(res.body.decision).toBe("deny");
    expect(res.body.reasons.map((r: { code: string }) => r.code)).toContain("no_grant");
    const entry = await server.call("GET", `/v1/ledger/entries/${res.body.ledgerIndex}`, { token: auditor });
    expect(entry.body.event.payload.allow).toBe(false);
  });

  it("never ledgers a secret argument's value", async () => {
    const res = await server.call("POST", "/v1/mediate", {
      token: agent,
      body: call({
        capability: "secrets.read",
        tool: "read_secret",
        resource: "NPM_TOKEN",
        args: { name: "NPM_TOKEN", password: "hunter2-secret" },
      }),
    });
    expect(res.status).toBe(200);
    const entry = await server.call("GET", `/v1/ledger/entries/${res.body.ledgerIndex}`, { token: auditor });
    const bytes = Buffer.from(entry.body.canonical, "base64").toString("utf8");
    expect(bytes).not.toContain("hunter2-secret");
    expect(entry.body.event.payload.call.args.password).toMatch(/^hmac-sha256:[0-9a-f]{64}$/);
  });

  it("records an outcome for an allowed decision, refuses one for denied or unknown decisions", async () => {
    const allowed = await server.call("POST", "/v1/mediate", { token: agent, body: call() });
    const ok = await server.call("POST", `/v1/mediate/${allowed.body.decisionId}/outcome`, {
      token: agent,
      body: { status: "ok", summary: "read 20 lines", outputDigest: digest },
    });
    expect(ok.status).toBe(200);
    expect(ok.body.ledgerIndex).toBeGreaterThan(allowed.body.ledgerIndex);
    const again = await server.call("POST", `/v1/mediate/${allowed.body.decisionId}/outcome`, {
      token: agent,
      body: { status: "ok", summary: "twice", outputDigest: digest },
    });
    expect(again.status).toBe(409);

    const denied = await server.call("POST", "/v1/mediate", { token: agent, body: call({ resource: "/etc/shadow" }) });
    const refused = await server.call("POST", `/v1/mediate/${denied.body.decisionId}/outcome`, {
      token: agent,
      body: { status: "ok", summary: "x", outputDigest: digest },
    });
    expect(refused.status).toBe(409);
    const unknown = await server.call("POST", "/v1/mediate/00000000-0000-4000-8000-000000000000/outcome", {
      token: agent,
      body: { status: "ok", summary: "x", outputDigest: digest },
    });
    expect(unknown.status).toBe(409);
  });

  it("takes an outcome only from the token that asked for the decision: another agent's is refused (409), nothing ledgered", async () => {
    // Another token that may act as coder too (a second runner): still not the token that asked.
    const other = await server.token("agent", "intruder", { agents: ["coder"] });
    const allowed = await server.call("POST", "/v1/mediate", {
      token: agent,
      body: call({ session: "sess-owner", tool: "fetch_url", capability: "network.egress", resource: "docs.example.com", args: {} }),
    });
    expect(allowed.body.allow).toBe(true);
    const before = (await server.ctx.ledger.reader.head()).size;
    const post = (token: string, body: Record<string, unknown>) =>
      server.call("POST", `/v1/mediate/${allowed.body.decisionId}/outcome`, {
        token,
        body: { status: "ok", summary: "x", outputDigest: digest, ...body },
      });
    // Plain (the foreign key decides), tainting and spending (a read decides), and piggybacked on another call.
    for (const extra of [{}, { taint: { source: "https://evil.example" } }, { costUsd: 0.5 }]) {
      const res = await post(other, extra);
      expect(res.status, JSON.stringify(extra)).toBe(409);
      expect(res.body.error).toMatchObject({ code: "conflict", field: "decisionId" });
    }
    const carried = await server.call("POST", "/v1/mediate", {
      token: other,
      body: {
        ...call({ session: "sess-intruder" }),
        outcomes: [{ decisionId: allowed.body.decisionId, status: "ok", summary: "x", outputDigest: digest }],
      },
    });
    expect(carried.status).toBe(409);
    expect(carried.body.error).toMatchObject({ code: "conflict", field: "/outcomes/0/decisionId" });
    const rows = await server.ctx.db
      .selectFrom("outcomes")
      .select("decision_id")
      .where("decision_id", "=", allowed.body.decisionId)
      .execute();
    expect(rows).toEqual([]);
    const entries = [];
    for (let i = before; i < (await server.ctx.ledger.reader.head()).size; i++)
      entries.push((await server.ctx.ledger.reader.entry(i)).event);
    expect(entries.filter((e) => e.kind === "outcome")).toEqual([]);
    // The session is not tainted: its own agent still reaches the network.
    const again = await server.call("POST", "/v1/mediate", {
      token: agent,
      body: call({ session: "sess-owner", tool: "fetch_url", capability: "network.egress", resource: "docs.example.com", args: {} }),
    });
    expect(again.body.allow).toBe(true);
    // The deciding token's own outcome lands.
    expect((await post(agent, { taint: { source: "https://docs.example.com" } })).status).toBe(200);
  });

  it("two outcomes for one decision in one batch: one lands, the other is refused alone (409), the batch's others commit", async () => {
    const allowed = await server.call("POST", "/v1/mediate", { token: agent, body: call() });
    const outcome = (summary: string) =>
      server.call("POST", `/v1/mediate/${allowed.body.decisionId}/outcome`, {
        token: agent,
        body: { status: "ok", summary, outputDigest: digest },
      });
    const [first, second, decision, third] = await Promise.all([
      outcome("first"),
      outcome("second"),
      server.call("POST", "/v1/mediate", { token: agent, body: call({ session: "sess-dup" }) }),
      outcome("third"),
    ]);
    expect([first.status, second.status, third.status].sort()).toEqual([200, 409, 409]);
    expect(decision.status).toBe(200);
    const landed = [first, second, third].find((r) => r.status === 200)!;
    const refused = [first, second, third].find((r) => r.status === 409)!;
    expect(refused.body.error).toMatchObject({ code: "conflict", field: "decisionId" });
    const entry = await server.call("GET", `/v1/ledger/entries/${landed.body.ledgerIndex}`, { token: auditor });
    expect(entry.body.event).toMatchObject({ kind: "outcome", subject: { id: allowed.body.decisionId } });
    const size = (await server.ctx.ledger.reader.head()).size;
    const outcomes = [];
    for (let i = allowed.body.ledgerIndex + 1; i < size; i++) {
      const e = await server.call("GET", `/v1/ledger/entries/${i}`, { token: auditor });
      if (e.body.event.kind === "outcome" && e.body.event.subject.id === allowed.body.decisionId) outcomes.push(i);
    }
    expect(outcomes).toEqual([landed.body.ledgerIndex]);
  });

  it("records plain outcomes piggybacked on the next decision in the same commit, and refuses bad ones by field", async () => {
    const first = await server.call("POST", "/v1/mediate", { token: agent, body: call({ session: "sess-pig" }) });
    const batches = server.ctx.ledger.writer.batches;
    const next = await server.call("POST", "/v1/mediate", {
      token: agent,
      body: {
        ...call({ session: "sess-pig" }),
        outcomes: [{ decisionId: first.body.decisionId, status: "ok", summary: "read", outputDigest: digest }],
      },
    });
    expect(next.status).toBe(200);
    const after = server.ctx.ledger.writer.batches;
    expect(after.oneStatement + after.locked - batches.oneStatement - batches.locked).toBe(1); // decision and outcome: one commit
    expect(next.body.outcomes).toEqual([{ decisionId: first.body.decisionId, ledgerIndex: expect.any(Number) }]);
    const outcome = await server.call("GET", `/v1/ledger/entries/${next.body.outcomes[0].ledgerIndex}`, { token: auditor });
    expect(outcome.body.event).toMatchObject({
      kind: "outcome",
      subject: { id: first.body.decisionId },
      payload: { status: "ok", summary: "read" },
    });
    const decision = await server.call("GET", `/v1/ledger/entries/${next.body.ledgerIndex}`, { token: auditor });
    expect(decision.body.event.payload.call).not.toHaveProperty("outcomes"); // the ledgered call is the call alone

    const piggyback = (outcomes: unknown, invalidOnPurpose?: string) =>
      server.call("POST", "/v1/mediate", { token: agent, body: { ...call({ session: "sess-pig" }), outcomes }, invalidOnPurpose });
    const plain = { decisionId: next.body.decisionId, status: "ok", summary: "x", outputDigest: digest };
    expect((await piggyback([{ ...plain, taint: { source: "https://x" } }], "a carried outcome with taint")).body.error).toMatchObject({
      code: "invalid_field",
      field: "/outcomes/0/taint",
    });
    expect(
      (
        await piggyback(
          Array.from({ length: 17 }, () => plain),
          "17 carried outcomes",
        )
      ).body.error,
    ).toMatchObject({
      code: "invalid_field",
      field: "/outcomes",
    });
    expect((await piggyback([{ ...plain, decisionId: "nope" }], "a decision id that is no UUID")).body.error).toMatchObject({
      code: "invalid_field",
      field: "/outcomes/0/decisionId",
    });
    const denied = await server.call("POST", "/v1/mediate", { token: agent, body: call({ resource: "/etc/shadow" }) });
    // A refused outcome refuses the whole request: the decision it rode with is not recorded either (the agent never
    // received it), and the error names the outcome at fault even when it is not the first.
    const size = (await server.ctx.ledger.reader.head()).size;
    const refused = await piggyback([{ ...plain, decisionId: denied.body.decisionId }]);
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({ code: "conflict", field: "/outcomes/0/decisionId" });
    const twice = await piggyback([{ ...plain, decisionId: first.body.decisionId }]);
    expect(twice.status).toBe(409);
    expect(twice.body.error).toMatchObject({ code: "conflict", field: "/outcomes/0/decisionId" });
    const second = await piggyback([plain, { ...plain, decisionId: denied.body.decisionId }]);
    expect(second.status).toBe(409);
    expect(second.body.error).toMatchObject({ code: "conflict", field: "/outcomes/1/decisionId" });
    const repeated = await piggyback([plain, plain]);
    expect(repeated.body.error).toMatchObject({ code: "conflict", field: "/outcomes/1/decisionId" });
    expect((await server.ctx.ledger.reader.head()).size).toBe(size);
    // `plain` was refused with the others, so it still takes its outcome.
    expect((await piggyback([plain])).status).toBe(200);
  });

  it("taints the session after untrusted content and then denies secrets.read", async () => {
    const session = "sess-taint";
    const fetch = await server.call("POST", "/v1/mediate", {
      token: agent,
      body: call({
        session,
        capability: "network.egress",
        tool: "fetch_url",
        resource: "docs.example.com",
        args: { url: "https://docs.example.com/x" },
      }),
    });
    expect(fetch.body.allow).toBe(true);
    const before = await server.call("POST", "/v1/mediate", {
      token: agent,
      body: call({
        session: "sess-clean",
        capability: "secrets.read",
        tool: "read_secret",
        resource: "NPM_TOKEN",
        args: { name: "NPM_TOKEN" },
      }),
    });
    expect(before.body.allow).toBe(true);
    await server.call("POST", `/v1/mediate/${fetch.body.decisionId}/outcome`, {
      token: agent,
      body: { status: "ok", summary: "fetched", outputDigest: digest, taint: { source: "https://docs.example.com/x" } },
    });
    const secret = await server.call("POST", "/v1/mediate", {
      token: agent,
      body: call({ session, capability: "secrets.read", tool: "read_secret", resource: "NPM_TOKEN", args: { name: "NPM_TOKEN" } }),
    });
    expect(secret.body.allow).toBe(false);
    expect(secret.body.reasons.map((r: { code: string }) => r.code)).toContain("session_tainted");
  });

  it("denies when the run-set's spend would pass its cap", async () => {
    const run = await server.call("POST", "/v1/mediate", {
      token: agent,
      body: call({ tool: "run_tests", capability: "tests.run", resource: "npm test", args: {} }),
    });
    await server.call("POST", `/v1/mediate/${run.body.decisionId}/outcome`, {
      token: agent,
      body: { status: "ok", summary: "tests passed", outputDigest: digest, costUsd: 0.9 },
    });
    const over = await server.call("POST", "/v1/mediate", {
      token: agent,
      body: call({ args: { path: "src/app.ts", estimated_usd: 0.5 } }),
    });
    expect(over.body.allow).toBe(false);
    expect(over.body.reasons.map((r: { code: string }) => r.code)).toContain("budget_exceeded");
  });

  describe("bad input", () => {
    const cases: Array<[string, unknown, string]> = [
      [
        "a missing field",
        (() => {
          const { runset: _r, ...rest } = call();
          return rest;
        })(),
        "/runset",
      ],
      ["an unknown field", { ...call(), extra: 1 }, "/extra"],
      ["an unknown capability", call({ capability: "shell.exec" }), "/capability"],
      ["a wrong type", call({ args: "not-an-object" }), "/args"],
      ["oversized args", call({ args: { blob: "x".repeat(70 * 1024) } }), "/args"],
      ["a negative budget estimate", call({ args: { path: "src/app.ts", estimated_usd: -1e9 } }), "/args/estimated_usd"],
      ["a budget estimate that is not a number", call({ args: { path: "src/app.ts", estimated_usd: "0" } }), "/args/estimated_usd"],
      // 2,000 levels in ~4 KiB: the redactor and the canonicalizer recurse, and overflowed the stack (500) before.
      ["args nested 2,000 deep", call({ args: { a: JSON.parse(`${"[".repeat(2000)}${"]".repeat(2000)}`) } }), `/args/a${"/0".repeat(62)}`],
    ];
    it.each(cases)("rejects %s with 400 naming the field", async (name, body, field) => {
      const res = await server.call("POST", "/v1/mediate", { token: agent, body, invalidOnPurpose: name });
      expect(res.status).toBe(400);
      expect(res.body.error.field).toBe(field);
      expect(res.body.error.code).toBe("invalid_field");
    });

    it("rejects malformed JSON with 400", async () => {
      const res = await server.call("POST", "/v1/mediate", { token: agent, rawBody: "{not json", invalidOnPurpose: "not JSON" });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe("bad_request");
    });

    it("rejects args holding a lone surrogate (no RFC 8785 form) with 400 naming the field, and ledgers nothing", async () => {
      const before = (await server.ctx.ledger.reader.head()).size;
      const rawBody = JSON.stringify(call({ args: { path: "src/app.ts", note: "PLACEHOLDER" } })).replace("PLACEHOLDER", "\\ud800");
      const res = await server.call("POST", "/v1/mediate", { token: agent, rawBody, invalidOnPurpose: "a lone surrogate" });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe("invalid_field");
      expect(res.body.error.field).toBe("/args/note");
      // Nested, with a key that JSON Pointer escapes.
      const nested = JSON.stringify(call({ args: { "a/b": [{ x: "PLACEHOLDER" }] } })).replace("PLACEHOLDER", "\\udfff");
      const deep = await server.call("POST", "/v1/mediate", { token: agent, rawBody: nested, invalidOnPurpose: "a lone surrogate" });
      expect(deep.status).toBe(400);
      expect(deep.body.error.field).toBe("/args/a~1b/0/x");
      expect((await server.ctx.ledger.reader.head()).size).toBe(before);
    });

    it("names the field holding a lone surrogate outside args too, in a call, an outcome or a piggybacked outcome", async () => {
      const before = (await server.ctx.ledger.reader.head()).size;
      const withSurrogate = (body: unknown) => JSON.stringify(body).replace("PLACEHOLDER", "\\ud800");
      const resource = await server.call("POST", "/v1/mediate", {
        token: agent,
        rawBody: withSurrogate(call({ resource: "src/PLACEHOLDER" })),
        invalidOnPurpose: "a lone surrogate",
      });
      expect(resource.status).toBe(400);
      expect(resource.body.error).toMatchObject({ code: "invalid_field", field: "/resource" });
      const allowed = await server.call("POST", "/v1/mediate", { token: agent, body: call() });
      const outcome = { status: "ok", summary: "PLACEHOLDER", outputDigest: digest };
      const direct = await server.call("POST", `/v1/mediate/${allowed.body.decisionId}/outcome`, {
        token: agent,
        rawBody: withSurrogate(outcome),
        invalidOnPurpose: "a lone surrogate",
      });
      expect(direct.status).toBe(400);
      expect(direct.body.error).toMatchObject({ code: "invalid_field", field: "/summary" });
      const carried = { ...call(), outcomes: [{ decisionId: allowed.body.decisionId, ...outcome }] };
      const piggybacked = await server.call("POST", "/v1/mediate", {
        token: agent,
        rawBody: withSurrogate(carried),
        invalidOnPurpose: "a lone surrogate",
      });
      expect(piggybacked.status).toBe(400);
      expect(piggybacked.body.error).toMatchObject({ code: "invalid_field", field: "/outcomes/0/summary" });
      // Only the one decision in between was ledgered.
      expect((await server.ctx.ledger.reader.head()).size).toBe(before + 1);
    });

    it("ledgers an argument named __proto__ like any other (the agent sent it; the record must show it)", async () => {
      const rawBody = JSON.stringify(call({ args: { path: "src/app.ts", PROTO: { cmd: "rm -rf /" } } })).replace('"PROTO"', '"__proto__"');
      const res = await server.call("POST", "/v1/mediate", { token: agent, rawBody });
      expect(res.status).toBe(200);
      const entry = await server.ctx.ledger.reader.entry(res.body.ledgerIndex);
      const args = (entry!.event.payload as { call: { args: Record<string, unknown> } }).call.args;
      expect(Object.keys(args).sort()).toEqual(["__proto__", "path"]);
      expect(Object.getOwnPropertyDescriptor(args, "__proto__")?.value).toEqual({ cmd: "rm -rf /" });
    });

    it("rejects a body over the size limit with 413", async () => {
      const res = await server.call("POST", "/v1/mediate", {
        token: agent,
        body: call({ args: { blob: "x".repeat(MAX_MEDIATE_BODY_BYTES) } }),
        invalidOnPurpose: "past the body bound",
      });
      expect(res.status).toBe(413);
    });

    it("rejects args over their own bound with 400 naming args", async () => {
      const res = await server.call("POST", "/v1/mediate", {
        token: agent,
        body: call({ args: { blob: "x".repeat(300 * 1024) } }),
        invalidOnPurpose: "args past their bound",
      });
      expect(res.status).toBe(400);
      expect(res.body.error.field).toBe("/args");
    });

    it("rejects a bad outcome body with 400 naming the field", async () => {
      const allowed = await server.call("POST", "/v1/mediate", { token: agent, body: call() });
      const res = await server.call("POST", `/v1/mediate/${allowed.body.decisionId}/outcome`, {
        token: agent,
        body: { status: "ok", summary: "x", outputDigest: "md5:abc" },
        invalidOnPurpose: "an md5 digest",
      });
      expect(res.status).toBe(400);
      expect(res.body.error.field).toBe("/outputDigest");
    });

    it("adds nothing to the ledger for rejected input", async () => {
      const before = (await server.ctx.ledger.reader.head()).size;
      await server.call("POST", "/v1/mediate", {
        token: agent,
        body: call({ capability: "nope" }),
        invalidOnPurpose: "no such capability",
      });
      expect((await server.ctx.ledger.reader.head()).size).toBe(before);
    });
  });

  describe("authentication", () => {
    it("401 without a token", async () => {
      const res = await server.call("POST", "/v1/mediate", { body: call() });
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe("unauthenticated");
    });
    it("401 with a token signed by another key", async () => {
      const forged = `${agent.slice(0, agent.lastIndexOf(".") + 1)}${"A".repeat(86)}`;
      const res = await server.call("POST", "/v1/mediate", { token: forged, body: call() });
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe("token_bad_signature");
    });
    it("403 naming the role needed for a valid token with the wrong role", async () => {
      const res = await server.call("POST", "/v1/mediate", { token: auditor, body: call() });
      expect(res.status).toBe(403);
      expect(res.body.error.message).toContain("agent");
    });
  });
});
