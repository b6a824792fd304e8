// Bound identities on both stores: a token acts only as the agents and run-sets it is bound to, and a session only
// for the token that opened it (issue #14 item 5: agent-2's token got coder's allow, then tainted and spent coder's session).
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { sql } from "kysely";
import { allMigrations } from "../../server/db/migrations.ts";
import { configFromEnv, composeServer, type Principal } from "../../server/index.ts";
import { migrateToLatest } from "../../ledger/store/migrate.ts";
import { openStore } from "../../ledger/store/database.ts";
import { createTestStore, STORE_KINDS } from "../support/test-stores.ts";
import { startTestServer, type TestServer } from "../support/test-server.ts";
import { present } from "../../common/present.ts";

// Two server contexts one after the other on one store: slow on a busy 2-core machine.
vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

const call = (overrides: Record<string, unknown> = {}) => ({
  runset: "rs1",
  agent: "coder",
  session: "s-coder",
  tool: "write_file",
  capability: "repo.write",
  resource: "src/app.ts",
  args: {},
  ...overrides,
});
const egress = (overrides: Record<string, unknown> = {}) =>
  call({ tool: "fetch_url", capability: "network.egress", resource: "docs.example.com", ...overrides });
const digest = `sha256:${"cd".repeat(32)}`;
const GRANTS = [
  { agent: "coder", capability: "repo.write", resource: "src/**" },
  { agent: "coder", capability: "network.egress", resource: "docs.example.com" },
  { agent: "agent-2", capability: "repo.write", resource: "src/**" },
];

describe.each(STORE_KINDS)("bound identities on %s store", (kind) => {
  let server: TestServer;
  let coder: string;
  let agent2: string;
  const treeSize = async () => (await server.ctx.ledger.reader.head()).size;
  const mediate = (token: string, body: Record<string, unknown>) => server.call("POST", "/v1/mediate", { token, body });

  beforeAll(async () => {
    server = await startTestServer(kind);
    coder = await server.token("agent", "coder");
    agent2 = await server.token("agent", "agent-2");
    await server.registerRunset({ name: "rs1", budget_cap_usd: 1, grants: GRANTS });
    await server.registerRunset({ name: "rs2", grants: GRANTS });
  });
  afterAll(() => server.close());

  it("refuses agent-2's token naming coder (403 agent_mismatch) before reading or ledgering anything", async () => {
    const before = await treeSize();
    const res = await mediate(agent2, call({ session: "s-a2" }));
    expect(res.status).toBe(403);
    expect(res.body.error).toMatchObject({ code: "agent_mismatch", field: "/agent" });
    expect(await treeSize()).toBe(before);
  });

  it("lets a token act as the agents its claim names, not its subject, and only in the run-sets it names", async () => {
    const runner = await server.token("agent", "runner", { agents: ["coder", "agent-2"], runsets: ["rs1"] });
    expect((await mediate(runner, call({ session: "s-run-coder" }))).body.decision).toBe("allow");
    expect((await mediate(runner, call({ agent: "agent-2", session: "s-run-a2" }))).body.decision).toBe("allow");
    const self = await mediate(runner, call({ agent: "runner", session: "s-run-self" }));
    expect(self.status).toBe(403);
    expect(self.body.error).toMatchObject({ code: "agent_mismatch", field: "/agent" });
    const elsewhere = await mediate(runner, call({ runset: "rs2", session: "s-run-rs2" }));
    expect(elsewhere.status).toBe(403);
    expect(elsewhere.body.error).toMatchObject({ code: "runset_mismatch", field: "/runset" });
  });

  it("refuses another token's call and outcomes in coder's session; coder's next call is neither tainted nor over budget", async () => {
    const opened = await mediate(coder, egress());
    expect(opened.body.decision).toBe("allow");
    const before = await treeSize();
    // agent-2 as itself, and a second token bound to coder: neither may decide in the session coder's token opened.
    const secondCoder = await server.token("agent", "coder-2", { agents: ["coder"] });
    for (const [token, body] of [
      [agent2, call({ agent: "agent-2" })],
      [secondCoder, egress()],
    ] as const) {
      const res = await mediate(token, body);
      expect(res.status).toBe(403);
      expect(res.body.error).toMatchObject({ code: "session_mismatch", field: "/session" });
    }
    // Nor report a tainting, spending or plain outcome on coder's decision, alone or carried.
    for (const extra of [{ taint: { source: "https://evil.example" }, costUsd: 10 }, {}]) {
      const res = await server.call("POST", `/v1/mediate/${opened.body.decisionId}/outcome`, {
        token: agent2,
        body: { status: "ok", summary: "x", outputDigest: digest, ...extra },
      });
      expect(res.status).toBe(409);
    }
    expect(await treeSize()).toBe(before);
    const next = await mediate(coder, egress({ args: { estimated_usd: 0.5 } }));
    expect(next.body).toMatchObject({ decision: "allow", allow: true });
    const owner = await server.ctx.db
      .selectFrom("sessions")
      .select(["owner", "tainted"])
      .where("session", "=", "s-coder")
      .executeTakeFirstOrThrow();
    expect(owner).toEqual({ owner: "coder", tainted: false });
  });

  it("lets a decision another token made in the session before sessions had owners neither taint nor spend it", async () => {
    await mediate(coder, egress({ session: "s-legacy" }));
    // As a server before owners recorded it: agent-2's allowed decision in coder's session.
    const legacy = crypto.randomUUID();
    await sql`insert into mediations (decision_id, ledger_index, runset, agent, session, tool, capability, resource, decision, policy_digest, waiver_ids, created_at, decided_by)
      values (${legacy}, 0, 'rs1', 'agent-2', 's-legacy', 'write_file', 'repo.write', 'src/a.ts', 'allow', 'd', '[]', now(), 'agent-2')`.execute(
      server.ctx.db,
    );
    const res = await server.call("POST", `/v1/mediate/${legacy}/outcome`, {
      token: agent2,
      body: { status: "ok", summary: "x", outputDigest: digest, taint: { source: "https://evil.example" }, costUsd: 10 },
    });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe("session_mismatch");
    const next = await mediate(coder, egress({ session: "s-legacy" }));
    expect(next.body).toMatchObject({ decision: "allow", allow: true });
    const spent = await server.ctx.db.selectFrom("runsets").select("spent_usd").where("name", "=", "rs1").executeTakeFirstOrThrow();
    expect(spent.spent_usd).toBe(0);
  });

  it("gives a session two tokens open at once to one of them: every call of the other is refused", async () => {
    const body = (agent: string) => call({ agent, session: "s-race" });
    const results = await Promise.all(
      Array.from({ length: 16 }, (_, i) => (i % 2 === 0 ? mediate(coder, body("coder")) : mediate(agent2, body("agent-2")))),
    );
    const bySub = { coder: results.filter((_r, i) => i % 2 === 0), "agent-2": results.filter((_r, i) => i % 2 === 1) };
    const owner = (await server.ctx.db.selectFrom("sessions").select("owner").where("session", "=", "s-race").executeTakeFirstOrThrow())
      .owner!;
    const loser = owner === "coder" ? "agent-2" : "coder";
    expect(bySub[owner as "coder"].map((r) => r.status)).toEqual(Array(8).fill(200));
    expect(bySub[loser as "coder"].map((r) => r.body.error?.code)).toEqual(Array(8).fill("session_mismatch"));
    const deciders = await server.ctx.db.selectFrom("mediations").select("decided_by").distinct().where("session", "=", "s-race").execute();
    expect(deciders).toEqual([{ decided_by: owner }]);
  });
});

describe.each(STORE_KINDS)("session owners across a restart on %s store", (kind) => {
  const coder: Principal = { sub: "coder", role: "agent", issuer: "maestro" };
  const agent2: Principal = { sub: "agent-2", role: "agent", issuer: "maestro", agents: ["coder", "agent-2"] };

  it("still refuses another token in a session opened before the restart", async () => {
    const store = await createTestStore(kind);
    const open = () => composeServer(configFromEnv({ dataDir: store.dataDir, databaseUrl: store.databaseUrl, publicRead: false }, {}));
    try {
      const first = await open();
      try {
        await first.mediator.mediate(call({ session: "s-kept" }), coder);
      } finally {
        await first.close();
      }
      const second = await open();
      try {
        await expect(second.mediator.mediate(call({ session: "s-kept" }), agent2)).rejects.toMatchObject({ code: "session_mismatch" });
        await expect(second.mediator.mediate(call({ session: "s-kept" }), coder)).resolves.toMatchObject({
          ledgerIndex: expect.any(Number),
        });
      } finally {
        await second.close();
      }
    } finally {
      await store.cleanup();
    }
  });
});

describe.each(STORE_KINDS)("session owner migration on %s store", (kind) => {
  const { "3008_session_owners": owners, ...before } = allMigrations;

  it("gives each session decided in before it to the token of its first decision, keeping its taint", async () => {
    const cfg = await createTestStore(kind);
    const store = await openStore<any>({ dataDir: cfg.dataDir, databaseUrl: cfg.databaseUrl });
    try {
      await migrateToLatest(store.db, before);
      const decided = (session: string, by: string, index: number) =>
        sql`insert into mediations (decision_id, ledger_index, runset, agent, session, tool, capability, resource, decision, policy_digest, waiver_ids, created_at, decided_by)
          values (${crypto.randomUUID()}, ${index}, 'rs1', ${by}, ${session}, 't', 'repo.read', 'r', 'allow', 'd', '[]', now(), ${by})`.execute(
          store.db,
        );
      await decided("s-a", "agent-2", 5);
      await decided("s-a", "coder", 2);
      await decided("s-b", "agent-2", 3);
      await sql`insert into sessions (session, tainted, taint_sources) values ('s-b', true, '["https://x.example"]')`.execute(store.db);
      await migrateToLatest(store.db, { ...before, "3008_session_owners": present(owners, "migration 3008_session_owners") });
      const { rows } = await sql`select session, owner, tainted from sessions order by session`.execute(store.db);
      expect(rows).toEqual([
        { session: "s-a", owner: "coder", tainted: false },
        { session: "s-b", owner: "agent-2", tainted: true },
      ]);
    } finally {
      await store.close();
      await cfg.cleanup();
    }
  });
});
