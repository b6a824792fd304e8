// The route table: every route the server answers, each declared once in its group's file under routes/ (method, path,
// roles, request and response schemas, handler). The router mounts each group as a sub-app, docs/governance/roles.md
// shows the role matrix in this order, and /openapi.json describes every route from the same declarations.
import type { Route } from "./route.ts";
import { breakglassRoutes } from "./routes/breakglass.ts";
import { consoleRoutes } from "./routes/console.ts";
import { decisionRoutes } from "./routes/decisions.ts";
import { holdRoutes } from "./routes/holds.ts";
import { ledgerStreamRoutes } from "./routes/ledger-stream.ts";
import { ledgerRoutes } from "./routes/ledger.ts";
import { mediateRoutes } from "./routes/mediate.ts";
import { metricsRoutes } from "./routes/metrics.ts";
import { policyRoutes } from "./routes/policy.ts";
import { publicRoutes } from "./routes/public.ts";
import { releaseRoutes } from "./routes/releases.ts";
import { tlogTilesRoutes } from "./routes/tlog-tiles.ts";
import { waiverRoutes } from "./routes/waivers.ts";
import { webhookRoutes } from "./routes/webhooks.ts";

/** One group per file; within a group, a fixed path comes before a pattern it also matches (`/failures` before `/:id`). */
export const ROUTE_GROUPS: ReadonlyArray<readonly Route[]> = [
  publicRoutes,
  consoleRoutes,
  mediateRoutes,
  ledgerRoutes,
  ledgerStreamRoutes,
  tlogTilesRoutes,
  metricsRoutes,
  policyRoutes,
  waiverRoutes,
  holdRoutes,
  breakglassRoutes,
  releaseRoutes,
  decisionRoutes,
  webhookRoutes,
];

export const ROUTES: readonly Route[] = ROUTE_GROUPS.flat();
