// The HTTP surface: every route of the route table (route-table.ts) on one Hono app, each group a sub-app, each route behind
// the checks its declaration asks for: parameters, body size, token and roles.
import { Hono, type MiddlewareHandler } from "hono";
import { authenticate, type AuthEnv } from "../auth/middleware.ts";
import { requireRoute } from "../auth/route-roles.ts";
import type { Services } from "../compose.ts";
import { limitBody } from "./body-limit.ts";
import { errorResponse } from "./error-handler.ts";
import { publishExchanges } from "./exchange-channel.ts";
import { methodNotAllowed } from "./method-guard.ts";
import { openApiDocument } from "./openapi.ts";
import { checkRequestParams } from "./params.ts";
import { bodyLimitOf, type Route, type RouteDeps } from "./route.ts";
import { ROUTE_GROUPS } from "./route-table.ts";

export function createApp(services: Services): Hono {
  const deps: RouteDeps = { ...services, openApiDocument };
  const app = new Hono();
  app.onError(errorResponse);
  // First, so it sees every answer: the routes', the error handler's and the 404/405 ones.
  app.use("*", publishExchanges);
  for (const group of ROUTE_GROUPS) {
    const sub = new Hono<AuthEnv>();
    for (const route of group) sub.on(route.method, [route.path], ...checksFor(route, services), route.handler(deps));
    app.route("/", sub);
  }
  app.notFound(methodNotAllowed(app));
  return app;
}

/**
 * Path and query parameters are checked first, where their names are known, so no handler needs to; then a POST's body
 * size, before anything reads it; then the token and the roles the table names, unless the route is public or the
 * operator opened it (MAESTRO_PUBLIC_READ=1 for the Evidence API, MAESTRO_PUBLIC_LOG=1 for the log's own reads).
 */
function checksFor(route: Route, { config, tokenVerifiers }: Pick<Services, "config" | "tokenVerifiers">): MiddlewareHandler<AuthEnv>[] {
  const checks: MiddlewareHandler<AuthEnv>[] = [checkParams];
  if (route.method === "POST") checks.push(limitBody(bodyLimitOf(route)));
  const open = route.roles === "public" || (route.publicRead && config.publicRead) || (route.publicLog && config.publicLog);
  if (!open) checks.push(authenticate(tokenVerifiers), requireRoute(route.method, route.path));
  return checks;
}

const checkParams: MiddlewareHandler = (c, next) => {
  checkRequestParams(c.req.url, c.req.param() as Record<string, string>, c.req.queries());
  return next();
};
