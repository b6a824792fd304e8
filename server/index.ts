// The server's public entry point: what cli/, agents/ and tests may import.
import type { AddressInfo } from "node:net";
import type { serve as serveHttp } from "@hono/node-server";
import { composeServer, type ComposeOptions, type Services } from "./compose.ts";
import type { ServerConfig } from "./config.ts";
import { createApp } from "./http/app.ts";

export { configFromEnv, type ServerConfig } from "./config.ts";
export { composeServer, type Services } from "./compose.ts";
export { createApp } from "./http/app.ts";
export { checkTokenSubject, issueToken, parseTtl } from "./auth/tokens.ts";
export { personKey, samePerson, subjectCheckFromEnv, subjectProblem } from "./auth/person-identity.ts";
export { AGENTS_CLAIM, RUNSETS_CLAIM, type AgentBinding } from "./auth/agent-binding.ts";
export { ROLES, type Role, type Principal } from "./auth/roles.ts";
export { allMigrations } from "./db/migrations.ts";
export { CAPABILITIES, type Capability } from "./mediator/types.ts";
export {
  buildBundle,
  buildDefaultBundle,
  DEFAULT_MUTATION_REPORT,
  DEFAULT_OPA_PATH,
  DEFAULT_REGO_DIR,
  readMutationEvidence,
  runPolicyTests,
} from "./policy/index.ts";
export { DEFAULT_MUTATION_THRESHOLD, formatReport, mutatePolicies } from "./policy/mutate/index.ts";
export { type WebhookSettings, WEBHOOK_KINDS } from "./webhooks/index.ts";

export interface RunningServer {
  ctx: Services;
  port: number;
  close(): Promise<void>;
}

/** Composes the services, starts the checkpoint cadence (unless another process of the cluster does) and listens. */
export async function startServer(
  config: ServerConfig,
  serve: typeof serveHttp,
  options: ComposeOptions & { issueCheckpoints?: boolean } = {},
): Promise<RunningServer> {
  const ctx = await composeServer(config, options);
  const app = createApp(ctx);
  if (options.issueCheckpoints !== false)
    ctx.ledger.checkpointer.start(config.checkpointIntervalMs, (err) =>
      console.error(JSON.stringify({ level: "warn", msg: "checkpoint failed", err: String(err) })),
    );
  ctx.webhooks.start();
  const server = serve({ fetch: app.fetch, port: config.port, hostname: config.host });
  await new Promise<void>((resolve, reject) => {
    server.once("listening", resolve);
    server.once("error", reject);
  });
  const port = (server.address() as AddressInfo).port;
  return {
    ctx,
    port,
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await ctx.close();
    },
  };
}
