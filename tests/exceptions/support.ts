// A server context, app and role tokens on a fresh store, with a hand-moved clock: the fixture every exceptions test uses.
import { invalidOnPurpose as markInvalid } from "../support/invalid-on-purpose.ts";
import type { Hono } from "hono";
import { ManualClock } from "../../common/clock.ts";
import { configFromEnv, createApp, composeServer, issueToken, type Role, type Services } from "../../server/index.ts";
import type { AgentBinding } from "../../server/auth/agent-binding.ts";
import { createTestStore, type TestStoreKind } from "../support/test-stores.ts";

export interface Fixture {
  ctx: Services;
  app: Hono;
  clock: ManualClock;
  token(role: Role, sub?: string, ttlSeconds?: number, binding?: AgentBinding): Promise<string>;
  /** POST/GET with a role's token (an agent's bound to the agent the body names, as a runner's is); returns status and parsed JSON. */
  call(method: "GET" | "POST", path: string, role: Role | null, body?: unknown, sub?: string): Promise<{ status: number; body: any }>;
  /** `call` for a request the OpenAPI document refuses, sent on purpose: `why` says what is wrong with it. */
  callInvalid(
    why: string,
    method: "GET" | "POST",
    path: string,
    role: Role | null,
    body?: unknown,
    sub?: string,
  ): Promise<{ status: number; body: any }>;
  treeSize(): Promise<number>;
  close(): Promise<void>;
}

export async function openFixture(kind: TestStoreKind): Promise<Fixture> {
  const store = await createTestStore(kind);
  const clock = new ManualClock("2026-03-01T09:00:00Z");
  const ctx = await composeServer(configFromEnv({ dataDir: store.dataDir, databaseUrl: store.databaseUrl, publicRead: false }, {}), {
    clock,
  });
  const app = createApp(ctx);
  const key = { kid: ctx.ledger.keyring.token.kid, privateKey: ctx.ledger.keyring.token.privateKey };
  const token = (role: Role, sub = `${role}-1`, ttl = 3600, binding?: AgentBinding) => issueToken(key, role, sub, ttl, clock, binding);
  return {
    ctx,
    app,
    clock,
    token,
    call: (method, path, role, body, sub) => request(undefined, method, path, role, body, sub),
    callInvalid: (why, method, path, role, body, sub) => request(why, method, path, role, body, sub),
    treeSize: async () => (await ctx.ledger.reader.head()).size,
    close: async () => {
      await ctx.close();
      await store.cleanup();
    },
  };

  async function request(
    invalidOnPurpose: string | undefined,
    method: string,
    path: string,
    role: Role | null,
    body: unknown,
    sub: string | undefined,
  ): Promise<{ status: number; body: any }> {
    const headers: Record<string, string> = {};
    const named = (body as { agent?: unknown } | undefined)?.agent;
    const binding = role === "agent" && typeof named === "string" ? { agents: [named] } : undefined;
    if (role) headers.authorization = `Bearer ${await token(role, sub, undefined, binding)}`;
    if (body !== undefined) headers["content-type"] = "application/json";
    const init = { method, headers, body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body) };
    const response = await app.request(path, invalidOnPurpose ? markInvalid(invalidOnPurpose, init) : init);
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {}
    return { status: response.status, body: parsed };
  }
}

/** A waiver request an engineer could file; override fields per test. */
export function waiverRequest(overrides: Record<string, unknown> = {}) {
  return {
    capability: "repo.write",
    resource: "src/**",
    agents: ["coder"],
    waives: ["no_grant"],
    justification: "hotfix for incident INC-42 needs a write outside the grant",
    durationSeconds: 3600,
    ticket: "INC-42",
    ...overrides,
  };
}

export function toolCall(overrides: Record<string, unknown> = {}) {
  return {
    runset: "rs-1",
    agent: "coder",
    session: "s-1",
    tool: "write_file",
    capability: "repo.write",
    resource: "src/app.ts",
    args: {},
    ...overrides,
  };
}
