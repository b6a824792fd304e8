// Control API, mediator part: a tool call in, a decision out; then the tool's outcome; run events and run-sets.
import { MaestroError } from "../../../common/errors.ts";
import { UUID } from "../../../common/uuid.ts";
import type { Services } from "../../compose.ts";
import { MAX_CONTENT_BYTES } from "../../content/content-facts.ts";
import { readJson, UUID_PARAM } from "../params.ts";
import { registerRunset } from "../../mediator/runsets.ts";
import { recordRunEvent, RUN_ID } from "../../mediator/run-events.ts";
import { json, MAX_BODY_BYTES, type Route } from "../route.ts";

/**
 * POST /v1/mediate may carry a file's `content`, an outcome what a tool read: twice its bound leaves room for JSON
 * escapes; content itself is checked after (413 naming /content).
 */
export const MAX_MEDIATE_BODY_BYTES = MAX_BODY_BYTES + 2 * MAX_CONTENT_BYTES;

export const mediateRoutes: readonly Route[] = [
  {
    method: "POST",
    path: "/v1/mediate",
    roles: ["agent"],
    does: "a tool call in, a decision out",
    body: "mediate.tool-call",
    maxBodyBytes: MAX_MEDIATE_BODY_BYTES,
    response: json("mediate.decision"),
    handler: (ctx: Pick<Services, "mediator" | "metrics">) => async (c) => {
      const result = await ctx.mediator.mediate(await readJson(c.req), c.get("principal"));
      ctx.metrics.decided(result); // counted once durable: a failed append throws before this line
      return c.json(result);
    },
  },
  {
    method: "POST",
    path: "/v1/mediate/:decisionId/outcome",
    roles: ["agent"],
    does: "the tool's outcome (and what it read, scanned for secrets)",
    body: "mediate.outcome",
    params: { decisionId: UUID_PARAM },
    maxBodyBytes: MAX_MEDIATE_BODY_BYTES,
    bodyExample: {
      status: "ok",
      summary: "read 120 lines of src/app.ts",
      outputDigest: `sha256:${"0".repeat(64)}`,
      costUsd: 0.0012,
    },
    response: json("mediate.outcome-recorded"),
    handler: (ctx: Pick<Services, "mediator">) => async (c) => {
      const decisionId = c.req.param("decisionId")!;
      if (!UUID.test(decisionId)) throw new MaestroError("invalid_field", "decisionId must be a UUID", { field: "decisionId" });
      const result = await ctx.mediator.recordOutcome(decisionId, await readJson(c.req), c.get("principal"));
      return c.json({ decisionId, ...result });
    },
  },
  {
    method: "POST",
    path: "/v1/runs/:runId/events",
    roles: ["agent"],
    does: "a run's lifecycle event (budget exhausted, finished)",
    body: "mediate.run-event",
    params: { runId: { type: "string", pattern: RUN_ID.source } },
    status: 201,
    response: json("mediate.run-event-recorded"),
    handler: (s: Pick<Services, "ledger">) => async (c) =>
      c.json(await recordRunEvent(s.ledger.writer, c.req.param("runId")!, await readJson(c.req), c.get("principal")), 201),
  },
  {
    method: "POST",
    path: "/v1/runsets",
    roles: ["admin", "security"],
    does: "register a run-set (grants, budget)",
    body: "mediate.runset-registration",
    status: 201,
    response: json("mediate.runset-registered"),
    handler: (s: Pick<Services, "db" | "ledger">) => async (c) =>
      c.json(await registerRunset(s.db, s.ledger.writer, await readJson(c.req), c.get("principal")), 201),
  },
];
