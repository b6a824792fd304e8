// Control API, holds: place and clear (auditor). Roles from server/auth/route-roles.ts.
import { Hono } from "hono";
import type { AuthEnv } from "../../auth/middleware.ts";
import { requireRoute } from "../../auth/route-roles.ts";
import type { HoldService } from "../../exceptions/holds/index.ts";
import { readJson } from "../params.ts";

export function holdControlRoutes(holds: HoldService): Hono<AuthEnv> {
  const app = new Hono<AuthEnv>();
  app.post("/v1/holds", requireRoute("POST", "/v1/holds"), async (c) => {
    return c.json(await holds.place(await readJson(c.req), c.get("principal")), 201);
  });
  app.post("/v1/holds/:id/clear", requireRoute("POST", "/v1/holds/:id/clear"), async (c) => {
    return c.json(await holds.clear(c.req.param("id"), await readJson(c.req), c.get("principal")));
  });
  return app;
}
