// Control API, break-glass: open (admin) and review (security). Roles from server/auth/route-roles.ts.
import { Hono } from "hono";
import type { AuthEnv } from "../../auth/middleware.ts";
import { requireRoute } from "../../auth/route-roles.ts";
import type { BreakglassService } from "../../exceptions/breakglass/index.ts";
import { readJson } from "../params.ts";

export function breakglassControlRoutes(breakglass: BreakglassService): Hono<AuthEnv> {
  const app = new Hono<AuthEnv>();
  app.post("/v1/breakglass", requireRoute("POST", "/v1/breakglass"), async (c) => {
    return c.json(await breakglass.open(await readJson(c.req), c.get("principal")), 201);
  });
  app.post("/v1/breakglass/:id/review", requireRoute("POST", "/v1/breakglass/:id/review"), async (c) => {
    return c.json(await breakglass.review(c.req.param("id"), await readJson(c.req), c.get("principal")));
  });
  return app;
}
