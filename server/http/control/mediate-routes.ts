// Control API, mediator part: a tool call in, a decision out; then the tool's outcome.
import { Hono } from "hono";
import { MaestroError } from "../../../common/errors.ts";
import type { AuthEnv } from "../../auth/middleware.ts";
import { requireRoute } from "../../auth/route-roles.ts";
import type { Services } from "../../compose.ts";
import { readJson } from "../params.ts";
import { registerRunset } from "../../mediator/runsets.ts";
import { recordRunEvent } from "../../mediator/run-events.ts";

const DECISION_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function mediateRoutes(ctx: Pick<Services, "mediator" | "metrics" | "ledger" | "db">): Hono<AuthEnv> {
  const app = new Hono<AuthEnv>();

  app.post("/v1/mediate", requireRoute("POST", "/v1/mediate"), async (c) => {
    const result = await ctx.mediator.mediate(await readJson(c.req), c.get("principal"));
    ctx.metrics.decided(result); // counted once durable: a failed append throws before this line
    return c.json(result);
  });

  app.post("/v1/mediate/:decisionId/outcome", requireRoute("POST", "/v1/mediate/:decisionId/outcome"), async (c) => {
    const decisionId = c.req.param("decisionId");
    if (!DECISION_ID.test(decisionId)) throw new MaestroError("invalid_field", "decisionId must be a UUID", { field: "decisionId" });
    const result = await ctx.mediator.recordOutcome(decisionId, await readJson(c.req), c.get("principal"));
    return c.json({ decisionId, ...result });
  });

  app.post("/v1/runs/:runId/events", requireRoute("POST", "/v1/runs/:runId/events"), async (c) => {
    return c.json(await recordRunEvent(ctx.ledger.writer, c.req.param("runId"), await readJson(c.req), c.get("principal")), 201);
  });

  app.post("/v1/runsets", requireRoute("POST", "/v1/runsets"), async (c) => {
    return c.json(await registerRunset(ctx.db, ctx.ledger.writer, await readJson(c.req), c.get("principal")), 201);
  });

  return app;
}
