// The role table refuses to guard a route it does not list, and renders one row per route.
import { describe, expect, it } from "vitest";
import { ROUTES } from "../http/route-table.ts";
import { renderRoleMatrix, requireRoute, ROUTE_ROLES } from "./route-roles.ts";

describe("route-roles", () => {
  it("refuses to build a guard for a route missing from the table, or a public one", () => {
    expect(() => requireRoute("POST", "/v1/not-a-route")).toThrow(/no role rule/);
    expect(() => requireRoute("GET", "/healthz")).toThrow(/no role rule/);
    expect(typeof requireRoute("POST", "/v1/waivers")).toBe("function");
  });

  it("is the route table itself, so a route cannot be served without a row", () => {
    expect(ROUTE_ROLES).toBe(ROUTES);
  });

  it("lists each route once and renders a row for each", () => {
    const keys = ROUTE_ROLES.map((r) => `${r.method} ${r.path}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(renderRoleMatrix().split("\n")).toHaveLength(ROUTE_ROLES.length + 2);
    expect(renderRoleMatrix()).toContain("| `POST /v1/waivers/:id/approve` | 403 | ✓ | 403 | 403 | 403 | 401 |");
  });
});
