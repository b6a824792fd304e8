// The HTTP surface: public routes, the read-only Evidence API and the authenticated control API on one Hono app.
import { type Context, Hono } from "hono";
import { except } from "hono/combine";
import { authenticate, type AuthEnv } from "../auth/middleware.ts";
import type { Services } from "../compose.ts";
import { isPublicLogPath, requireEvidenceRoute } from "../auth/route-roles.ts";
import { limitBodyPerPath } from "./body-limit.ts";
import { MAX_CONTENT_BYTES } from "../content/content-facts.ts";
import { errorResponse } from "./error-handler.ts";
import { methodNotAllowed } from "./method-guard.ts";
import { checkRequestParams } from "./params.ts";
import { publicRoutes } from "./public-routes.ts";
import { ledgerEvidenceRoutes } from "./evidence/ledger-routes.ts";
import { ledgerStreamRoutes } from "./evidence/stream-routes.ts";
import { tlogTilesRoutes } from "./evidence/tlog-tiles-routes.ts";
import { metricsRoutes } from "./evidence/metrics-routes.ts";
import { ledgerControlRoutes } from "./control/ledger-control-routes.ts";
import { mediateRoutes } from "./control/mediate-routes.ts";
import { waiverControlRoutes } from "./control/waiver-routes.ts";
import { holdControlRoutes } from "./control/hold-routes.ts";
import { breakglassControlRoutes } from "./control/breakglass-routes.ts";
import { waiverEvidenceRoutes } from "./evidence/waiver-routes.ts";
import { holdEvidenceRoutes } from "./evidence/hold-routes.ts";
import { breakglassEvidenceRoutes } from "./evidence/breakglass-routes.ts";
import { releaseEvidenceRoutes } from "./evidence/release-routes.ts";
import { decisionEvidenceRoutes } from "./evidence/decision-routes.ts";
import { policyEvidenceRoutes } from "./evidence/policy-routes.ts";
import { releaseControlRoutes } from "./control/release-routes.ts";
import { MAX_BUNDLE_BODY_BYTES, policyRoutes } from "./control/policy-routes.ts";
import { webhookControlRoutes, webhookReadRoutes } from "./control/webhook-routes.ts";

/** Largest JSON body a control route accepts; bigger ones get 413 before parsing. */
export const MAX_BODY_BYTES = 256 * 1024;

/** POST /v1/mediate may carry a file's `content`: twice its bound leaves room for JSON escapes; content itself is checked after. */
export const MAX_MEDIATE_BODY_BYTES = MAX_BODY_BYTES + 2 * MAX_CONTENT_BYTES;

/** Control routes whose bodies may be larger than MAX_BODY_BYTES, and their own bound. */
export const LARGER_BODY_ROUTES: Record<string, number> = { "/v1/mediate": MAX_MEDIATE_BODY_BYTES };

export function createApp(ctx: Services): Hono {
  const app = new Hono();
  app.onError(errorResponse);

  app.route("/", publicRoutes(ctx));

  // Evidence API: GET only; auditors (and admin/security) read, unless the operator turned on public read.
  const evidence = new Hono<AuthEnv>();
  evidence.onError(errorResponse);
  if (!ctx.config.publicRead) {
    // MAESTRO_PUBLIC_LOG=1: tile clients send no token, so the log's own reads skip the guard (token or not).
    const publicLog = (c: Context) => ctx.config.publicLog && isPublicLogPath(c.req.path);
    evidence.use("*", except(publicLog, authenticate(ctx.tokenVerifiers), requireEvidenceRoute()));
  }
  evidence.route("/", ledgerEvidenceRoutes(ctx));
  evidence.route("/", ledgerStreamRoutes(ctx));
  evidence.route("/", tlogTilesRoutes(ctx));
  evidence.route("/", waiverEvidenceRoutes(ctx.waivers));
  evidence.route("/", holdEvidenceRoutes(ctx.holds));
  evidence.route("/", breakglassEvidenceRoutes(ctx.breakglass));
  evidence.route("/", releaseEvidenceRoutes(ctx.db, ctx.releases));
  evidence.route("/", decisionEvidenceRoutes(ctx));
  evidence.route("/", policyEvidenceRoutes(ctx.policy));
  evidence.route("/", metricsRoutes(ctx.metrics));

  // Control API: every write is authenticated; each route names its roles.
  const control = controlApp(ctx, MAX_BODY_BYTES);
  control.route("/", ledgerControlRoutes(ctx.ledger));
  control.route("/", mediateRoutes(ctx));
  control.route("/", waiverControlRoutes(ctx.waivers));
  control.route("/", holdControlRoutes(ctx.holds));
  control.route("/", breakglassControlRoutes(ctx.breakglass));
  control.route("/", releaseControlRoutes(ctx.releases));
  control.route("/", webhookControlRoutes(ctx.webhooks));
  // Webhook reads need admin or security whatever public read says: a subscription names where events go.
  const webhookReads = controlApp(ctx, MAX_BODY_BYTES);
  webhookReads.route("/", webhookReadRoutes(ctx.webhooks));

  // Policy bundles are bigger than any other body, so they get their own limit.
  const bundles = controlApp(ctx, MAX_BUNDLE_BODY_BYTES);
  bundles.route("/", policyRoutes(ctx.policy));

  mountOnly(app, evidence, "GET");
  mountOnly(app, control, "POST");
  mountOnly(app, bundles, "POST");
  mountOnly(app, webhookReads, "GET");
  app.notFound(methodNotAllowed(app));
  return app;
}

function controlApp(ctx: Pick<Services, "tokenVerifiers">, maxBytes: number): Hono<AuthEnv> {
  const control = new Hono<AuthEnv>();
  control.onError(errorResponse);
  control.use("*", limitBodyPerPath(maxBytes, LARGER_BODY_ROUTES), authenticate(ctx.tokenVerifiers));
  return control;
}

/**
 * Mounts a sub-app so its middleware runs only for its own method (auth never intercepts the other side). Every
 * route's path and query parameters are checked here, where their names are known, so no handler needs to.
 */
function mountOnly(app: Hono, sub: Hono<any>, method: "GET" | "POST"): void {
  for (const route of sub.routes) {
    if (route.method !== method) continue;
    app.on(method, route.path, (c) => {
      checkRequestParams(c.req.url, c.req.param() as Record<string, string>, c.req.queries());
      return sub.fetch(c.req.raw, c.env);
    });
  }
}
