// Evidence API, policy part: which bundle is in force, from where, and the ledgered activation that put it there.
import { Hono } from "hono";
import type { ServerContext } from "../../context.ts";

export function policyEvidenceRoutes(ctx: ServerContext): Hono {
  const app = new Hono();
  app.get("/v1/policy/status", (c) => c.json(ctx.policy.status()));
  return app;
}
