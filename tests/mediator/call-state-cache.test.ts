// Decisions on kept call state: a change the kept state did not see, made by this process or by another one on the
// same store, is never overlooked. The decision is decided again on a fresh read instead of committing as it was.
import { randomBytes } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { eventSigner } from "../../ledger/append/event-signer.ts";
import { LedgerWriter } from "../../ledger/append/ledger-writer.ts";
import { Mediator } from "../../server/mediator/mediator.ts";
import { contentInspector } from "../../server/content/content-facts.ts";
import { secretRedactor } from "../../server/mediator/secret-redaction.ts";
import type { Principal } from "../../server/index.ts";
import { STORE_KINDS } from "../support/test-stores.ts";
import { startTestServer, type TestServer } from "../support/test-server.ts";
import { type AppDb, ledgerTablesOf } from "../../server/db/app-db.ts";

const coder: Principal = { sub: "coder", role: "agent", issuer: "maestro" };
const digest = `sha256:${"ab".repeat(32)}`;
const call = (session: string, overrides: Record<string, unknown> = {}) => ({
  runset: "rs-cache",
  agent: "coder",
  session,
  tool: "read_file",
  capability: "repo.read",
  resource: "src/app.ts",
  args: { path: "src/app.ts" },
  ...overrides,
});
const fetchCall = (session: string) =>
  call(session, {
    tool: "fetch_url",
    capability: "network.egress",
    resource: "docs.example.com",
    args: { url: "https://docs.example.com/x" },
  });
const secretCall = (session: string) =>
  call(session, { tool: "read_secret", capability: "secrets.read", resource: "NPM_TOKEN", args: { name: "NPM_TOKEN" } });

describe.each(STORE_KINDS)("decisions on kept call state (%s)", (kind) => {
  let server: TestServer;
  /** Another server process on the same store: its own ledger writer and mediator. */
  let elsewhere: Mediator;

  // A server each: a process that saw another one append lately reads fresh for a while, which would hide the cache.
  beforeEach(async () => {
    server = await startTestServer(kind);
    const { ctx } = server;
    await server.registerRunset({
      name: "rs-cache",
      budget_cap_usd: 1,
      grants: [
        { agent: "coder", capability: "repo.read", resource: "src/**" },
        { agent: "coder", capability: "network.egress", resource: "docs.example.com" },
        { agent: "coder", capability: "secrets.read", resource: "NPM_TOKEN" },
      ],
    });
    elsewhere = new Mediator({
      db: ctx.db,
      writer: new LedgerWriter<AppDb>(ledgerTablesOf(ctx.db), eventSigner(ctx.ledger.keyring.event), { projections: true }),
      clock: ctx.clock,
      policy: () => ctx.policy.current(),
      redactor: secretRedactor(randomBytes(32)),
      content: contentInspector(randomBytes(32)),
      providers: ctx.policyInputs,
    });
  });
  afterEach(() => server?.close());

  const secretDecisions = async (session: string) =>
    server.ctx.db
      .selectFrom("mediations")
      .select(["decision"])
      .where("session", "=", session)
      .where("capability", "=", "secrets.read")
      .execute();

  it("sees its own tainting outcome at the next decision", async () => {
    const mediator = server.ctx.mediator;
    const fetched = await mediator.mediate(fetchCall("own-taint"), coder);
    expect(fetched.allow).toBe(true);
    expect((await mediator.mediate(call("own-taint"), coder)).allow).toBe(true); // on kept state
    await mediator.recordOutcome(
      fetched.decisionId,
      { status: "ok", summary: "fetched", outputDigest: digest, taint: { source: "https://docs.example.com/x" } },
      coder,
    );
    const secret = await mediator.mediate(secretCall("own-taint"), coder);
    expect(secret.allow).toBe(false);
    expect(secret.reasons.map((r) => r.code)).toContain("session_tainted");
  });

  it("sees a session tainted by another process, and commits no decision made without it", async () => {
    const mediator = server.ctx.mediator;
    const session = "foreign-taint";
    // This process decides for the session and keeps its (clean) state.
    expect((await mediator.mediate(fetchCall(session), coder)).allow).toBe(true);
    expect((await mediator.mediate(call(session), coder)).allow).toBe(true);
    // Another process fetches in the same session and records the taint.
    const fetched = await elsewhere.mediate(fetchCall(session), coder);
    await elsewhere.recordOutcome(
      fetched.decisionId,
      { status: "ok", summary: "fetched", outputDigest: digest, taint: { source: "https://docs.example.com/x" } },
      coder,
    );

    const secret = await mediator.mediate(secretCall(session), coder);
    expect(secret.allow).toBe(false);
    expect(secret.reasons.map((r) => r.code)).toContain("session_tainted");
    // The decision made on the kept, clean state was refused before commit: only the deny is on record.
    expect(await secretDecisions(session)).toEqual([{ decision: "deny" }]);
  });

  it("sees a run-set's spend recorded by another process", async () => {
    const session = "foreign-spend";
    const spendCall = { ...call(session), args: { path: "src/app.ts", estimated_usd: 0.5 } };
    expect((await server.ctx.mediator.mediate(spendCall, coder)).allow).toBe(true); // keeps spend 0
    const run = await elsewhere.mediate({ ...spendCall, session: "other-session" }, coder);
    await elsewhere.recordOutcome(run.decisionId, { status: "ok", summary: "ran", outputDigest: digest, costUsd: 0.9 }, coder);
    const over = await server.ctx.mediator.mediate(spendCall, coder);
    expect(over.allow).toBe(false);
    expect(over.reasons.map((r) => r.code)).toContain("budget_exceeded");
  });
});
