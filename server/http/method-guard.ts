// Answers 405 (with Allow) when a path exists but not for the request's method, instead of a misleading 404.
import type { Context, Hono } from "hono";
import { MaestroError } from "../../common/errors.ts";

function toRegex(path: string): RegExp {
  const pattern = path
    .split("/")
    .map((part) => (part.startsWith(":") ? "[^/]+" : part === "*" ? ".*" : part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")))
    .join("/");
  return new RegExp(`^${pattern}$`);
}

interface RoutePattern {
  method: string;
  pattern: RegExp;
}

/** The app's concrete routes as patterns; wildcards and middleware (`ALL`) say nothing about which methods a path has. */
function routePatterns(app: Hono<any>): RoutePattern[] {
  return app.routes
    .filter((route) => route.method !== "ALL" && route.path !== "*" && !route.path.endsWith("/*"))
    .map((route) => ({ method: route.method, pattern: toRegex(route.path) }));
}

export function methodNotAllowed(app: Hono<any>): (c: Context) => Response {
  // Built on the first miss, once every route is mounted, rather than one regex per route on every miss: a scanner
  // walking unknown paths should cost the server a table lookup, not ~100 regex compilations a request.
  let patterns: RoutePattern[] | undefined;
  return (c) => {
    patterns ??= routePatterns(app);
    const allowed = new Set<string>();
    for (const { method, pattern } of patterns) if (pattern.test(c.req.path)) allowed.add(method);
    if (allowed.size === 0) {
      return c.json(new MaestroError("not_found", `no route ${c.req.method} ${c.req.path}`).toJSON(), 404);
    }
    const error = new MaestroError(
      "method_not_allowed",
      `${c.req.method} is not allowed on ${c.req.path}; allowed: ${[...allowed].join(", ")}`,
    );
    return c.json(error.toJSON(), 405, { Allow: [...allowed].join(", ") });
  };
}
