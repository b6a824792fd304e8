// Evidence API, break-glass: each override with its overdue flag and the ledger indexes of its events (GET only).
import { Hono } from "hono";
import { MaestroError } from "../../../common/errors.ts";
import type { BreakglassService } from "../../exceptions/breakglass/index.ts";

export function breakglassEvidenceRoutes(breakglass: BreakglassService): Hono {
  const app = new Hono();
  app.get("/v1/breakglass", async (c) => {
    const state = c.req.query("state");
    if (state !== undefined && state !== "open" && state !== "reviewed") {
      throw new MaestroError("invalid_field", "state must be open or reviewed", { field: "state" });
    }
    const overdue = c.req.query("overdue");
    if (overdue !== undefined && overdue !== "true" && overdue !== "false") {
      throw new MaestroError("invalid_field", "overdue must be true or false", { field: "overdue" });
    }
    const found = await breakglass.list({
      state,
      overdue: overdue === undefined ? undefined : overdue === "true",
    });
    return c.json({ breakglass: found });
  });
  return app;
}
