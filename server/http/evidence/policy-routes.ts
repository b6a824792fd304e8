// Evidence API, policy part: which bundle is in force, from where, and the ledgered activation that put it there.
import { Hono } from "hono";
import type { ActivePolicy } from "../../policy/active-policy.ts";

export function policyEvidenceRoutes(policy: ActivePolicy): Hono {
  const app = new Hono();
  app.get("/v1/policy/status", (c) => c.json(policy.status()));
  return app;
}
