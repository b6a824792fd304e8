// Webhooks (admin or security): subscribe, remove, send a test, list, and the dead-letter list with redelivery.
// The reads are here too, behind a token: a subscription names where events go, which public read must not reveal.
import { Hono } from "hono";
import type { AuthEnv } from "../../auth/middleware.ts";
import { requireRoute } from "../../auth/route-roles.ts";
import type { ServerContext } from "../../context.ts";
import { readJson } from "../params.ts";

export function webhookControlRoutes(ctx: ServerContext): Hono<AuthEnv> {
  const app = new Hono<AuthEnv>();
  const webhooks = () => ctx.webhooks!.service;
  app.post("/v1/webhooks", requireRoute("POST", "/v1/webhooks"), async (c) => {
    const created = await webhooks().add(await readJson(c.req), c.get("principal"));
    ctx.webhooks!.dispatcher.subscriptionsChanged();
    // The secret is in this answer and in no other; say so where a script would look.
    c.header("cache-control", "no-store");
    return c.json(created, 201);
  });
  app.post("/v1/webhooks/failures/:id/redeliver", requireRoute("POST", "/v1/webhooks/failures/:id/redeliver"), async (c) => {
    const queued = await webhooks().redeliver(c.req.param("id"));
    ctx.webhooks!.dispatcher.wake();
    return c.json(queued);
  });
  app.post("/v1/webhooks/:id/remove", requireRoute("POST", "/v1/webhooks/:id/remove"), async (c) => {
    return c.json(await webhooks().remove(c.req.param("id"), await readJson(c.req), c.get("principal")));
  });
  app.post("/v1/webhooks/:id/test", requireRoute("POST", "/v1/webhooks/:id/test"), async (c) => {
    return c.json(await webhooks().test(c.req.param("id"), c.get("principal")));
  });
  return app;
}

export function webhookReadRoutes(ctx: ServerContext): Hono<AuthEnv> {
  const app = new Hono<AuthEnv>();
  const webhooks = () => ctx.webhooks!.service;
  app.get("/v1/webhooks", requireRoute("GET", "/v1/webhooks"), async (c) => c.json({ webhooks: await webhooks().list() }));
  app.get("/v1/webhooks/failures", requireRoute("GET", "/v1/webhooks/failures"), async (c) =>
    c.json({ failures: await webhooks().failures({ webhook: c.req.query("webhook"), state: c.req.query("state") }) }),
  );
  app.get("/v1/webhooks/:id", requireRoute("GET", "/v1/webhooks/:id"), async (c) => c.json(await webhooks().get(c.req.param("id"))));
  return app;
}
