// The HTTP surface: public routes, the read-only Evidence API and the authenticated control API on one Hono app.
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { MaestroError } from "../../common/errors.ts";
import { authenticate, requireRole, type AuthEnv } from "../auth/middleware.ts";
import type { ServerContext } from "../context.ts";
import { errorResponse } from "./error-handler.ts";
import { methodNotAllowed } from "./method-guard.ts";
import { publicRoutes } from "./public-routes.ts";
import { ledgerEvidenceRoutes } from "./evidence/ledger-routes.ts";
import { ledgerStreamRoutes } from "./evidence/stream-routes.ts";
import { ledgerControlRoutes } from "./control/ledger-control-routes.ts";
import { mediateRoutes } from "./control/mediate-routes.ts";

/** Largest JSON body a control route accepts; bigger ones get 413 before parsing. */
export const MAX_BODY_BYTES = 256 * 1024;

export function createApp(ctx: ServerContext): Hono {
  const app = new Hono();
  app.onError(errorResponse);

  app.route("/", publicRoutes(ctx));

  // Evidence API: GET only; auditors (and admin/security) read, unless the operator turned on public read.
  const evidence = new Hono<AuthEnv>();
  evidence.onError(errorResponse);
  if (!ctx.config.publicRead) {
    evidence.use("*", authenticate(ctx.tokenVerifiers), requireRole("auditor", "admin", "security"));
  }
  evidence.route("/", ledgerEvidenceRoutes(ctx));
  evidence.route("/", ledgerStreamRoutes(ctx));

  // Control API: every write is authenticated; each route names its roles.
  const control = new Hono<AuthEnv>();
  control.onError(errorResponse);
  control.use(
    "*",
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: () => {
        throw new MaestroError("payload_too_large", `request body exceeds ${MAX_BODY_BYTES} bytes`, { field: "/" });
      },
    }),
    authenticate(ctx.tokenVerifiers),
  );
  control.route("/", ledgerControlRoutes(ctx));
  control.route("/", mediateRoutes(ctx));

  mountOnly(app, evidence, "GET");
  mountOnly(app, control, "POST");
  app.notFound(methodNotAllowed(app));
  return app;
}

/** Mounts a sub-app so its middleware runs only for its own method (auth never intercepts the other side). */
function mountOnly(app: Hono, sub: Hono<any>, method: "GET" | "POST"): void {
  for (const route of sub.routes) {
    if (route.method !== method) continue;
    app.on(method, route.path, (c) => sub.fetch(c.req.raw, c.env));
  }
}
