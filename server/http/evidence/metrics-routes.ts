// GET /metrics: the server's Prometheus series in the text exposition format (prom-client), read like any evidence.
import { Hono } from "hono";
import type { ServerContext } from "../../context.ts";

export function metricsRoutes(ctx: ServerContext): Hono {
  const app = new Hono();
  app.get("/metrics", async (c) => {
    const { registry } = ctx.metrics;
    return c.text(await registry.metrics(), 200, { "Content-Type": registry.contentType, "Cache-Control": "no-cache" });
  });
  return app;
}
