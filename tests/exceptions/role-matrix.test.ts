// Walks every cell of the route × role matrix for every route the app serves, and keeps docs/governance/roles.md identical to the code table.
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROLES } from "../../server/auth/roles.ts";
import { ROUTE_ROLES, renderRoleMatrix, ruleFor } from "../../server/auth/route-roles.ts";
import { invalidOnPurpose } from "../support/invalid-on-purpose.ts";
import { type Fixture, openFixture } from "./support.ts";

// Roles do not depend on the store, so one (embedded) store is enough here.
describe("route × role matrix", () => {
  let f: Fixture;
  let served: Array<{ method: "GET" | "POST"; path: string }>;
  beforeAll(async () => {
    f = await openFixture("embedded");
    const seen = new Set<string>();
    served = [];
    for (const r of f.app.routes) {
      if (r.method !== "GET" && r.method !== "POST") continue;
      const key = `${r.method} ${r.path}`;
      if (seen.has(key)) continue;
      seen.add(key);
      served.push({ method: r.method, path: r.path });
    }
  });
  afterAll(async () => f?.close());

  it("docs/governance/roles.md shows exactly the table the routes enforce", () => {
    const doc = readFileSync(new URL("../../docs/governance/roles.md", import.meta.url), "utf8");
    expect(doc).toContain(renderRoleMatrix());
  });

  it("every served route has a row, and every row is a served route", () => {
    const missing = served.filter((r) => !ruleFor(r.method, r.path)).map((r) => `${r.method} ${r.path}`);
    expect(missing, "add these routes to server/auth/route-roles.ts (and regenerate the table in docs/governance/roles.md)").toEqual([]);
    const stale = ROUTE_ROLES.filter((rule) => !served.some((r) => r.method === rule.method && r.path === rule.path)).map(
      (r) => `${r.method} ${r.path}`,
    );
    expect(stale, "rows for routes that no longer exist").toEqual([]);
  });

  async function status(method: string, path: string, token: string | null): Promise<{ status: number; body: any }> {
    const concrete = path.replace(/:index\b/g, "0").replace(/:[A-Za-z]+/g, "00000000-0000-4000-8000-000000000000");
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (token) headers.authorization = `Bearer ${token}`;
    // Only the role check is asked: every POST gets {} and every GET no query, which most routes then refuse.
    const init = { method, headers, body: method === "POST" ? "{}" : undefined };
    const response = await f.app.request(concrete, invalidOnPurpose("{} or no query parameters, to reach the role check", init));
    // Streams (SSE) never end by themselves: read the status, then hang up.
    const isJson = response.headers.get("content-type")?.includes("application/json");
    let body: any = null;
    if (isJson) body = await response.json();
    else await response.body?.cancel();
    return { status: response.status, body };
  }

  it("walks every cell: allowed roles pass the role check, others get 403 naming the roles needed, no token gets 401", async () => {
    const cells: string[] = [];
    for (const route of served) {
      const rule = ruleFor(route.method, route.path);
      if (!rule) continue; // reported by the test above
      for (const role of ROLES) {
        const got = await status(route.method, route.path, await f.token(role));
        const allowed = rule.roles === "public" || rule.roles.includes(role);
        if (allowed) {
          expect([401, 403], `${route.method} ${route.path} as ${role}: ${JSON.stringify(got.body)}`).not.toContain(got.status);
        } else {
          expect(got.status, `${route.method} ${route.path} as ${role}`).toBe(403);
          expect(got.body.error.code).toBe("forbidden");
          for (const needed of rule.roles as readonly string[]) expect(got.body.error.message).toContain(needed);
        }
        cells.push(`${route.method} ${route.path} ${role} ${got.status}`);
      }
      const anonymous = await status(route.method, route.path, null);
      if (rule.roles === "public") expect(anonymous.status).toBe(200);
      else expect(anonymous.status, `${route.method} ${route.path} without a token`).toBe(401);
    }
    expect(cells.length).toBe(served.length * ROLES.length);
  });
});
