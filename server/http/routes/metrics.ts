// GET /metrics: the server's Prometheus series in the text exposition format (prom-client), read like any evidence.
import type { Services } from "../../compose.ts";
import { EVIDENCE, type Route } from "../route.ts";

export const metricsRoutes: readonly Route[] = [
  {
    method: "GET",
    path: "/metrics",
    ...EVIDENCE,
    does: "Prometheus metrics (text exposition format)",
    response: { description: "Prometheus text exposition format", content: { "text/plain": { type: "string" } } },
    handler: (s: Pick<Services, "metrics">) => async (c) =>
      c.text(await s.metrics.registry.metrics(), 200, { "Content-Type": s.metrics.registry.contentType, "Cache-Control": "no-cache" }),
  },
];
