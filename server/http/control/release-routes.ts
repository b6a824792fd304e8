// Control API, releases: create (admin, security; agents through a mediated release.publish decision) and publish (always mediated).
import { Hono } from "hono";
import type { AuthEnv } from "../../auth/middleware.ts";
import { requireRoute } from "../../auth/route-roles.ts";
import type { ReleaseService } from "../../releases/release-service.ts";
import { readJson } from "../params.ts";

export function releaseControlRoutes(releases: ReleaseService): Hono<AuthEnv> {
  const app = new Hono<AuthEnv>();

  app.post("/v1/releases", requireRoute("POST", "/v1/releases"), async (c) => {
    const release = await releases.create(await readJson(c.req), c.get("principal"));
    return c.json({ release }, 201, { Location: `/v1/releases/${encodeURIComponent(release.id)}` });
  });

  app.post("/v1/releases/:id/publish", requireRoute("POST", "/v1/releases/:id/publish"), async (c) => {
    const release = await releases.publish(c.req.param("id"), c.get("principal"));
    return c.json({ release });
  });

  return app;
}
