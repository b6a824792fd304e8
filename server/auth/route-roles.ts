// The route × role matrix, read from the route table (server/http/route-table.ts): the roles the router enforces,
// docs/governance/roles.md shows and tests/exceptions walk.
import type { MiddlewareHandler } from "hono";
import type { Route } from "../http/route.ts";
import { ROUTES } from "../http/route-table.ts";
import { type AuthEnv, requireRole } from "./middleware.ts";
import { ROLES } from "./roles.ts";

/** The matrix is the route table seen by role: one row per route, in the table's order. */
export const ROUTE_ROLES: readonly Route[] = ROUTES;

export function ruleFor(method: string, path: string): Route | undefined {
  return ROUTE_ROLES.find((r) => r.method === method && r.path === path);
}

/** The role check for one route, taken from the table; a route missing from the table fails at startup. */
export function requireRoute(method: "GET" | "POST", path: string): MiddlewareHandler<AuthEnv> {
  const rule = ruleFor(method, path);
  if (!rule || rule.roles === "public")
    throw new Error(`route ${method} ${path} has no role rule in the route table (server/http/route-table.ts)`);
  return requireRole(...rule.roles);
}

/** The matrix as the Markdown table in docs/governance/roles.md (a test keeps the two identical). */
export function renderRoleMatrix(): string {
  const header = `| route | ${ROLES.join(" | ")} | no token |`;
  const rule = `|---|${ROLES.map(() => "---").join("|")}|---|`;
  const rows = ROUTE_ROLES.map((r) => {
    const cells = ROLES.map((role) => (r.roles === "public" || r.roles.includes(role) ? "✓" : "403"));
    const anonymous = r.roles === "public" ? "✓" : r.publicLog ? "401 (✓ with MAESTRO_PUBLIC_LOG=1)" : "401";
    return `| \`${r.method} ${r.path}\` | ${cells.join(" | ")} | ${anonymous} |`;
  });
  return [header, rule, ...rows].join("\n");
}
