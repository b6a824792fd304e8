// With the store unreachable every route answers 503 with Retry-After (never 500), /healthz says "degraded" and
// names the store, and service comes back with the store. The test stops a PostgreSQL cluster it started itself.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROUTE_ROLES } from "../../server/auth/route-roles.ts";
import { configFromEnv, createApp, composeServer, issueToken, type Role, type Services } from "../../server/index.ts";
import { type OwnPostgres, startOwnPostgres } from "../support/own-postgres.ts";
import { MEDIATE_BODY, writeBodies } from "../support/write-bodies.ts";
import { itemAt } from "../../common/present.ts";

const pg = await startOwnPostgres();

describe.skipIf(!pg)("routes while the store is unreachable (own PostgreSQL cluster)", () => {
  let cluster: OwnPostgres;
  let ctx: Services;
  let app: ReturnType<typeof createApp>;
  let dataDir: string;
  const tokens = new Map<Role, string>();
  let decisionId: string;

  const call = async (method: string, path: string, role: Role | null, body?: unknown) => {
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (role) headers.authorization = `Bearer ${tokens.get(role)}`;
    const res = await app.request(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    let parsed: any = text;
    try {
      parsed = JSON.parse(text);
    } catch {}
    return { status: res.status, body: parsed, retryAfter: res.headers.get("retry-after") };
  };

  const mediateBody = MEDIATE_BODY;
  const bodies = writeBodies();
  const concrete = (path: string) =>
    path
      .replace(":decisionId", decisionId)
      .replace(":index", "0")
      .replace("/inclusion", "/inclusion?index=0&size=1")
      .replace("/consistency", "/consistency?from=1&to=1")
      .replace(":runId", "run-1")
      .replace(":id", "00000000-0000-4000-8000-000000000000")
      .replace("/tlog/tile/*", "/tlog/tile/0/000");

  beforeAll(async () => {
    cluster = pg!;
    dataDir = mkdtempSync(join(tmpdir(), "maestro-outage-"));
    ctx = await composeServer(configFromEnv({ dataDir, databaseUrl: cluster.url, publicRead: false }));
    app = createApp(ctx);
    const key = ctx.ledger.keyring.token;
    for (const role of ["agent", "admin", "security", "auditor", "engineer"] as Role[]) {
      tokens.set(
        role,
        await issueToken({ kid: key.kid, privateKey: key.privateKey }, role, role === "agent" ? "coder" : `${role}-1`, 3600),
      );
    }
    const runset = await call("POST", "/v1/runsets", "security", {
      name: "rs",
      grants: [{ agent: "coder", capability: "repo.write", resource: "src/**" }],
    });
    expect(runset.status).toBe(201);
    const decided = await call("POST", "/v1/mediate", "agent", mediateBody);
    expect(decided.body.allow).toBe(true);
    decisionId = decided.body.decisionId;
    expect((await call("GET", "/healthz", null)).status).toBe(200);
    cluster.stop();
  }, 60_000);
  afterAll(async () => {
    await ctx?.close().catch(() => {});
    cluster?.destroy();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it("/healthz is 503 degraded and names the store", async () => {
    const res = await call("GET", "/healthz", null);
    expect(res.status).toBe(503);
    expect(res.retryAfter).toBe("1");
    expect(res.body).toMatchObject({ status: "degraded", store: "postgres", error: { code: "store_unavailable" } });
  });

  it("every route answers 503 with Retry-After or a 4xx it owes no store, never 500", async () => {
    const answers: string[] = [];
    for (const rule of ROUTE_ROLES) {
      const role = rule.roles === "public" ? null : itemAt(rule.roles, 0, `${rule.path}'s roles`);
      const res = await call(rule.method, concrete(rule.path), role, rule.method === "POST" ? bodies[rule.path] : undefined);
      answers.push(`${rule.method} ${rule.path} ${res.status} ${res.body?.error?.code ?? ""}`);
      expect(res.status, answers.at(-1)).not.toBe(500);
      if (res.status === 503) expect(res.retryAfter, answers.at(-1)).toBeTruthy();
    }
    // Only what needs no store answers otherwise: public documents, keys and the policy status held in memory, and a policy bundle
    // refused before anything is read. The rest, including every route the trial saw answer 500, is 503.
    const storeless = new Set([
      "GET /.well-known/jwks.json",
      "GET /openapi.json",
      "GET /console",
      "GET /console/assets/console.js",
      "GET /console/assets/verify-worker.js",
      "GET /console/assets/console.css",
      "GET /v1/ledger/key",
      "POST /v1/policy/activate",
      "GET /v1/policy/status",
    ]);
    for (const line of answers) {
      const route = line.split(" ").slice(0, 2).join(" ");
      if (!storeless.has(route)) expect(line).toMatch(/ 503 (store|ledger)_unavailable$/);
    }
  });

  it("comes back with the store", async () => {
    cluster.start();
    let status = 0;
    for (let i = 0; i < 50 && status !== 200; i++) {
      status = (await call("GET", "/healthz", null)).status;
      if (status !== 200) await new Promise((r) => setTimeout(r, 100));
    }
    expect(status).toBe(200);
    expect((await call("POST", "/v1/mediate", "agent", mediateBody)).body.allow).toBe(true);
  });
});
