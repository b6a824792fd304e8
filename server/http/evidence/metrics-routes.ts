// GET /metrics: the server's Prometheus series in the text exposition format (prom-client), read like any evidence.
import { Hono } from "hono";
import type { ServerMetrics } from "../../metrics/metrics.ts";

export function metricsRoutes(metrics: ServerMetrics): Hono {
  const app = new Hono();
  app.get("/metrics", async (c) => {
    const { registry } = metrics;
    return c.text(await registry.metrics(), 200, { "Content-Type": registry.contentType, "Cache-Control": "no-cache" });
  });
  return app;
}
