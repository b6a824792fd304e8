// A real Maestro server on loopback for agent tests: context + Hono app + @hono/node-server on port 0, with agent and admin tokens.
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { configFromEnv, createApp, composeServer, issueToken, type Services } from "../../../server/index.ts";
import type { AgentBinding } from "../../../server/auth/agent-binding.ts";
import { createTestStore, type TestStoreKind } from "../../support/test-stores.ts";

export interface Grant {
  agent: string;
  capability: string;
  resource: string;
  approval?: "none" | "required";
}

export interface TestServer {
  url: string;
  ctx: Services;
  /** An agent token acts as `sub` unless `binding` names its agents (a runner's names the run-set's). */
  token(role: "agent" | "admin" | "auditor", sub: string, binding?: AgentBinding): Promise<string>;
  register(name: string, grants: Grant[], budgetCapUsd?: number | null): Promise<void>;
  /** Ledger events of a kind, oldest first. */
  events(kind: string): Promise<any[]>;
  close(): Promise<void>;
}

export async function startTestServer(kind: TestStoreKind): Promise<TestServer> {
  const store = await createTestStore(kind);
  // An empty env: configFromEnv treats an undefined databaseUrl as "not given" and would fall back to
  // DATABASE_URL, putting the embedded run on the shared admin database.
  const ctx = await composeServer(configFromEnv({ dataDir: store.dataDir, databaseUrl: store.databaseUrl }, {}));
  const app = createApp(ctx);
  const server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" });
  await new Promise<void>((resolve) => server.once("listening", () => resolve()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const key = { kid: ctx.ledger.keyring.token.kid, privateKey: ctx.ledger.keyring.token.privateKey };
  const token = (role: "agent" | "admin" | "auditor", sub: string, binding?: AgentBinding) =>
    issueToken(key, role, sub, 3600, undefined, binding);
  return {
    url,
    ctx,
    token,
    async register(name, grants, budgetCapUsd = null) {
      const response = await fetch(`${url}/v1/runsets`, {
        method: "POST",
        headers: { authorization: `Bearer ${await token("admin", "admin-alice")}`, "content-type": "application/json" },
        body: JSON.stringify({ name, budget_cap_usd: budgetCapUsd, grants }),
      });
      if (response.status !== 201) throw new Error(`register failed: ${response.status} ${await response.text()}`);
    },
    async events(kind) {
      const head = await ctx.ledger.reader.head();
      const out: any[] = [];
      for (let i = 0; i < head.size; i++) {
        const entry = await ctx.ledger.reader.entry(i);
        if (entry.event.kind === kind) out.push(entry.event);
      }
      return out;
    },
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await ctx.close();
      await store.cleanup();
    },
  };
}
