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

export function methodNotAllowed(app: Hono<any>): (c: Context) => Response {
  return (c) => {
    const allowed = new Set<string>();
    for (const route of app.routes) {
      if (route.method === "ALL" || route.path === "*" || route.path.endsWith("/*")) continue;
      if (toRegex(route.path).test(c.req.path)) allowed.add(route.method);
    }
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
