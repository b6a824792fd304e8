// A real server context + Hono app on a fresh test store, with tokens for every role.
import { configFromEnv, createApp, composeServer, issueToken, type Role, type Services, type WebhookSettings } from "../../server/index.ts";
import type { Clock } from "../../common/clock.ts";
import type { AgentBinding } from "../../server/auth/agent-binding.ts";
import { createTestStore, type TestStoreConfig, type TestStoreKind } from "./test-stores.ts";
import { invalidOnPurpose as markInvalid } from "./invalid-on-purpose.ts";

export interface TestServer {
  ctx: Services;
  app: ReturnType<typeof createApp>;
  /** A token for `role`; an agent token acts as `sub` unless `binding` names its agents (and run-sets). */
  token(role: Role, sub?: string, binding?: AgentBinding): Promise<string>;
  /**
   * JSON request helper: returns status and parsed body. `invalidOnPurpose` says why a request the OpenAPI document
   * refuses is sent anyway (every exchange is held to the document: tests/support/check-every-exchange.ts).
   */
  call(
    method: string,
    path: string,
    options?: { token?: string; body?: unknown; rawBody?: string; invalidOnPurpose?: string },
  ): Promise<{ status: number; body: any; headers: Headers }>;
  /** POST /v1/runsets as a security user; throws unless it answers 201. */
  registerRunset(spec: Record<string, unknown>, securitySub?: string): Promise<void>;
  /** The store it runs on (e.g. to copy it once the server is closed with `keepStore`). */
  store: TestStoreConfig;
  /** Stops the server and drops its store, unless `keepStore` (the caller then cleans it up). */
  close(options?: { keepStore?: boolean }): Promise<void>;
}

export async function startTestServer(
  kind: TestStoreKind,
  options: { clock?: Clock; publicRead?: boolean; publicLog?: boolean; webhooks?: Partial<WebhookSettings> } = {},
): Promise<TestServer> {
  const store = await createTestStore(kind);
  const ctx = await composeServer(
    configFromEnv({
      dataDir: store.dataDir,
      databaseUrl: store.databaseUrl,
      publicRead: options.publicRead ?? false,
      publicLog: options.publicLog ?? false,
    }),
    {
      clock: options.clock,
      webhooks: options.webhooks,
    },
  );
  const app = createApp(ctx);
  const key = ctx.ledger.keyring.token;
  const server: TestServer = {
    store,
    ctx,
    app,
    token: (role, sub = `${role}-1`, binding) =>
      issueToken({ kid: key.kid, privateKey: key.privateKey }, role, sub, 3600, options.clock, binding),
    async call(method, path, { token, body, rawBody, invalidOnPurpose } = {}) {
      const headers: Record<string, string> = {};
      if (token) headers.authorization = `Bearer ${token}`;
      if (body !== undefined || rawBody !== undefined) headers["content-type"] = "application/json";
      const init = { method, headers, body: rawBody ?? (body === undefined ? undefined : JSON.stringify(body)) };
      const res = await app.request(path, invalidOnPurpose ? markInvalid(invalidOnPurpose, init) : init);
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {}
      return { status: res.status, body: parsed, headers: res.headers };
    },
    async registerRunset(spec, securitySub = "security-1") {
      const res = await server.call("POST", "/v1/runsets", { token: await server.token("security", securitySub), body: spec });
      if (res.status !== 201) throw new Error(`runset registration answered ${res.status}: ${JSON.stringify(res.body)}`);
    },
    async close({ keepStore = false } = {}) {
      await ctx.close();
      if (!keepStore) await store.cleanup();
    },
  };
  return server;
}
