// Fail closed: with PostgreSQL gone under load, no call is allowed without a durable ledger entry; service recovers after.
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../support/test-server.ts";

const adminUrl = process.env.DATABASE_URL;

async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

describe.skipIf(!adminUrl)("fail closed when PostgreSQL goes away (PostgreSQL only)", () => {
  let server: TestServer;
  let agent: string;
  let dbName: string;

  beforeAll(async () => {
    server = await startTestServer("postgres");
    dbName = server.ctx.config.databaseUrl!.split("/").pop()!;
    agent = await server.token("agent", "coder");
    const security = await server.token("security");
    await server.call("POST", "/v1/runsets", {
      token: security,
      body: { name: "rs", grants: [{ agent: "coder", capability: "repo.read", resource: "**" }] },
    });
  });
  afterAll(async () => {
    await admin((c) => c.query(`alter database ${dbName} with allow_connections true`));
    await server.close();
  });

  it("answers 503 or deny during the outage, every allow has its entry, and recovers", async () => {
    const body = { runset: "rs", agent: "coder", session: "s", tool: "read_file", capability: "repo.read", resource: "a.ts", args: {} };
    const results: Array<{ status: number; body: any }> = [];
    let stop = false;
    const load = Array.from({ length: 16 }, async () => {
      while (!stop) results.push(await server.call("POST", "/v1/mediate", { token: agent, body }));
    });
    await new Promise((r) => setTimeout(r, 300));
    await admin(async (c) => {
      await c.query(`alter database ${dbName} with allow_connections false`);
      await c.query("select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()", [dbName]);
    });
    const outageStart = results.length;
    await new Promise((r) => setTimeout(r, 700));
    const duringOutage = results.slice(outageStart);
    await admin((c) => c.query(`alter database ${dbName} with allow_connections true`));
    await new Promise((r) => setTimeout(r, 700));
    stop = true;
    await Promise.all(load);

    expect(duringOutage.length).toBeGreaterThan(0);
    const failures = results.filter((r) => r.status !== 200);
    expect(failures.length).toBeGreaterThan(0);
    for (const f of failures) {
      expect(f.status).toBe(503);
      expect(f.body.error.code).toBe("ledger_unavailable");
    }
    // Every allow the server gave is a durable, signed decision at the index it named.
    const allows = results.filter((r) => r.status === 200 && r.body.allow);
    expect(allows.length).toBeGreaterThan(0);
    for (const a of allows) {
      const entry = await server.ctx.ledger.reader.entry(a.body.ledgerIndex);
      expect(entry.event.subject?.id).toBe(a.body.decisionId);
      expect(entry.event.payload.allow).toBe(true);
    }
    // Recovered: a fresh call succeeds.
    const after = await server.call("POST", "/v1/mediate", { token: agent, body });
    expect(after.status).toBe(200);
    expect(after.body.allow).toBe(true);
  });
});
