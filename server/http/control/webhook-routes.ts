// Webhooks (admin or security): subscribe, remove, send a test, list, and the dead-letter list with redelivery.
// The reads are here too, behind a token: a subscription names where events go, which public read must not reveal.
import { Hono } from "hono";
import type { AuthEnv } from "../../auth/middleware.ts";
import { requireRoute } from "../../auth/route-roles.ts";
import type { Webhooks } from "../../webhooks/index.ts";
import { readJson } from "../params.ts";

export function webhookControlRoutes(webhooks: Webhooks): Hono<AuthEnv> {
  const app = new Hono<AuthEnv>();
  app.post("/v1/webhooks", requireRoute("POST", "/v1/webhooks"), async (c) => {
    const created = await webhooks.service.add(await readJson(c.req), c.get("principal"));
    webhooks.dispatcher.subscriptionsChanged();
    // The secret is in this answer and in no other; say so where a script would look.
    c.header("cache-control", "no-store");
    return c.json(created, 201);
  });
  app.post("/v1/webhooks/failures/:id/redeliver", requireRoute("POST", "/v1/webhooks/failures/:id/redeliver"), async (c) => {
    const queued = await webhooks.service.redeliver(c.req.param("id"));
    webhooks.dispatcher.wake();
    return c.json(queued);
  });
  app.post("/v1/webhooks/:id/remove", requireRoute("POST", "/v1/webhooks/:id/remove"), async (c) => {
    return c.json(await webhooks.service.remove(c.req.param("id"), await readJson(c.req), c.get("principal")));
  });
  app.post("/v1/webhooks/:id/test", requireRoute("POST", "/v1/webhooks/:id/test"), async (c) => {
    return c.json(await webhooks.service.test(c.req.param("id"), c.get("principal")));
  });
  return app;
}

export function webhookReadRoutes(webhooks: Webhooks): Hono<AuthEnv> {
  const app = new Hono<AuthEnv>();
  app.get("/v1/webhooks", requireRoute("GET", "/v1/webhooks"), async (c) => c.json({ webhooks: await webhooks.service.list() }));
  app.get("/v1/webhooks/failures", requireRoute("GET", "/v1/webhooks/failures"), async (c) =>
    c.json({ failures: await webhooks.service.failures({ webhook: c.req.query("webhook"), state: c.req.query("state") }) }),
  );
  app.get("/v1/webhooks/:id", requireRoute("GET", "/v1/webhooks/:id"), async (c) => c.json(await webhooks.service.get(c.req.param("id"))));
  return app;
}
