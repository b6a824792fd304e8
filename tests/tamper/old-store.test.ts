// A store written before the folds: its rows say what the folds say, but with the services' own times (stamped a moment
// before the event's), a run-set's spec and a break-glass scope in their request's key order, and a policy-data version
// moved once per batch. `maestro ledger verify` names those; once a server has started on the store (its migrations
// bring the times and the version in line; JSON compares as JSON), it verifies.
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { canonicalJson } from "../../ledger/event/canonical-json.ts";
import { configFromEnv, composeServer } from "../../server/index.ts";
import { STORE_KINDS, type TestStoreConfig } from "../support/test-stores.ts";
import { startTestServer, type TestServer } from "../support/test-server.ts";
import { verifyJson, withStoreDb } from "./tamper-harness.ts";

vi.setConfig({ testTimeout: 300_000, hookTimeout: 300_000 });

/** The migrations that bring an old store in line; the test makes the store as it was before them. */
const CATCH_UP = [
  "2004_waiver_times_from_events",
  "2005_breakglass_times_from_events",
  "3009_policy_data_version_counts_events",
  "3010_projection_times_from_events",
];

async function populate(server: TestServer): Promise<void> {
  await server.registerRunset({
    name: "rs-old",
    grants: [{ agent: "coder", capability: "repo.read", resource: "src/**" }],
  });
  const agent = await server.token("agent", "coder");
  const mediate = async (body: Record<string, unknown>, token = agent) => {
    const res = await server.call("POST", "/v1/mediate", { token, body });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body as { decisionId: string; decision: string };
  };
  const call = {
    runset: "rs-old",
    agent: "coder",
    session: "s-old",
    tool: "read_file",
    capability: "repo.read",
    resource: "src/a.ts",
    args: {},
  };
  const read = await mediate(call);
  const outcome = await server.call("POST", `/v1/mediate/${read.decisionId}/outcome`, {
    token: agent,
    body: { status: "ok", summary: "done", outputDigest: `sha256:${"0".repeat(64)}` },
  });
  expect(outcome.status).toBe(200);
  const waiver = await server.call("POST", "/v1/waivers", {
    token: await server.token("engineer", "eng-1"),
    body: {
      capability: "repo.write",
      resource: "src/**",
      agents: ["coder"],
      waives: ["no_grant"],
      justification: "hotfix INC-1",
      durationSeconds: 600,
    },
  });
  expect(waiver.status).toBe(201);
  const security = await server.token("security", "sec-1");
  expect((await server.call("POST", `/v1/waivers/${waiver.body.id}/approve`, { token: security, body: {} })).status).toBe(200);
  expect((await mediate({ ...call, tool: "write_file", capability: "repo.write" })).decision).toBe("allow");
  const revoke = await server.call("POST", `/v1/waivers/${waiver.body.id}/revoke`, { token: security, body: { reason: "done" } });
  expect(revoke.status).toBe(200);
  const opened = await server.call("POST", "/v1/breakglass", {
    token: await server.token("admin", "adm-1"),
    body: {
      counterClaim: "prod is down",
      compensatingControls: ["pairing"],
      reviewDeadline: new Date(Date.now() + 3600_000).toISOString(),
      scope: { type: "agent", id: "bg-agent" },
    },
  });
  expect(opened.status).toBe(201);
  const bgCall = { ...call, agent: "bg-agent", session: "s-bg", tool: "write_file", capability: "repo.write" };
  expect((await mediate(bgCall, await server.token("agent", "bg-agent"))).decision).toBe("allow");
  const review = await server.call("POST", `/v1/breakglass/${opened.body.id}/review`, {
    token: security,
    body: { finding: "the hotfix path was needed", verdict: "justified" },
  });
  expect(review.status).toBe(200);
}

/** The same JSON value with every object's keys in reverse order: a request's order, not RFC 8785's. */
function reversedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reversedKeys);
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(
    Object.entries(value)
      .reverse()
      .map(([k, v]) => [k, reversedKeys(v)]),
  );
}

describe.each(STORE_KINDS)("a store written before the folds (%s store)", (kind) => {
  let store: TestStoreConfig;
  beforeAll(async () => {
    const server = await startTestServer(kind);
    try {
      await populate(server);
    } finally {
      await server.close({ keepStore: true });
    }
    store = server.store;
    // As the services wrote the rows before the folds, and as the migrations found them.
    await withStoreDb(store, async (db) => {
      const earlier = sql`- interval '0.005 second'`;
      await sql`update mediations set created_at = created_at ${earlier}`.execute(db);
      await sql`update outcomes set created_at = created_at ${earlier}`.execute(db);
      await sql`update waivers set ended_at = ended_at ${earlier}, last_used_at = last_used_at ${earlier}`.execute(db);
      await sql`update waiver_uses set used_at = used_at ${earlier}`.execute(db);
      await sql`update breakglass set reviewed_at = reviewed_at ${earlier}`.execute(db);
      await sql`update breakglass_uses set used_at = used_at ${earlier}`.execute(db);
      for (const { name, spec } of await db.selectFrom("runsets").select(["name", "spec"]).execute())
        await db
          .updateTable("runsets")
          .set({ spec: JSON.stringify(reversedKeys(JSON.parse(spec))) })
          .where("name", "=", name)
          .execute();
      for (const { id, scope } of await db.selectFrom("breakglass").select(["id", "scope"]).execute())
        await db
          .updateTable("breakglass")
          .set({ scope: JSON.stringify(reversedKeys(JSON.parse(scope))) })
          .where("id", "=", id)
          .execute();
      await sql`update policy_data_version set version = 2`.execute(db);
      await db.deleteFrom("kysely_migration").where("name", "in", CATCH_UP).execute();
    });
  });
  afterAll(async () => store?.cleanup());

  it("is reported before a server has migrated it: the times and the version, never the JSON key order", async () => {
    const stored = await withStoreDb(store, (db) => db.selectFrom("runsets").select("spec").executeTakeFirstOrThrow());
    expect(stored.spec).not.toBe(canonicalJson(JSON.parse(stored.spec)));
    const run = await verifyJson(store);
    expect(run.code).toBe(1);
    const named = run.json.projections.findings.map((f: any) => `${f.table}.${f.column}`);
    expect([...new Set(named)].sort()).toEqual([
      "breakglass.reviewed_at",
      "breakglass_uses.used_at",
      "mediations.created_at",
      "outcomes.created_at",
      "policy_data_version.version",
      "waiver_uses.used_at",
      "waivers.ended_at",
      "waivers.last_used_at",
    ]);
  });

  it("verifies once a server has started on it", async () => {
    const ctx = await composeServer(configFromEnv({ dataDir: store.dataDir, databaseUrl: store.databaseUrl }));
    await ctx.close();
    const run = await verifyJson(store);
    expect(run.json.projections).toMatchObject({ findings: [], refused: [] });
    expect(run.code).toBe(0);
  });
});
