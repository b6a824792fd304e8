// Control API, waivers: request (engineer), approve (security), revoke (security, admin). Roles from server/auth/route-roles.ts.
import { Hono } from "hono";
import type { AuthEnv } from "../../auth/middleware.ts";
import { requireRoute } from "../../auth/route-roles.ts";
import type { WaiverService } from "../../exceptions/waivers/index.ts";
import { readOptionalJson } from "../../exceptions/http-support.ts";
import { readJson } from "../params.ts";

export function waiverControlRoutes(waivers: WaiverService): Hono<AuthEnv> {
  const app = new Hono<AuthEnv>();
  app.post("/v1/waivers", requireRoute("POST", "/v1/waivers"), async (c) => {
    const waiver = await waivers.request(await readJson(c.req), c.get("principal"));
    return c.json(waiver, 201);
  });
  app.post("/v1/waivers/:id/approve", requireRoute("POST", "/v1/waivers/:id/approve"), async (c) => {
    return c.json(await waivers.approve(c.req.param("id"), await readOptionalJson(c.req), c.get("principal")));
  });
  app.post("/v1/waivers/:id/revoke", requireRoute("POST", "/v1/waivers/:id/revoke"), async (c) => {
    return c.json(await waivers.revoke(c.req.param("id"), await readJson(c.req), c.get("principal")));
  });
  return app;
}
