// Evidence API, holds: each hold with what it blocks, who to contact and what clears it (GET only).
import { Hono } from "hono";
import { MaestroError } from "../../../common/errors.ts";
import type { HoldService } from "../../exceptions/holds/index.ts";

export function holdEvidenceRoutes(holds: HoldService): Hono {
  const app = new Hono();
  app.get("/v1/holds", async (c) => {
    const state = c.req.query("state");
    if (state !== undefined && state !== "active" && state !== "cleared") {
      throw new MaestroError("invalid_field", "state must be active or cleared", { field: "state" });
    }
    return c.json({ holds: await holds.list({ state }) });
  });
  return app;
}
