// The OpenAPI document covers every route of the external contract and every $ref resolves.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ROUTE_ROLES } from "../auth/route-roles.ts";
import { openApiDocument } from "./openapi.ts";

const doc = openApiDocument() as { openapi: string; paths: Record<string, Record<string, any>>; components: { schemas: Record<string, object> } };

describe("openapi.json", () => {
  it("is OpenAPI 3.1 and describes every route in the role table", () => {
    expect(doc.openapi).toBe("3.1.0");
    for (const r of ROUTE_ROLES) {
      const path = r.path.replace(/:(\w+)/g, "{$1}").replace(/\/\*$/, "/{path}");
      expect(doc.paths[path]?.[r.method.toLowerCase()], `${r.method} ${r.path}`).toBeDefined();
    }
  });

  it("describes every route docs/contract.md fixes", () => {
    const arch = readFileSync(new URL("../../docs/contract.md", import.meta.url), "utf8");
    const routes = [...arch.matchAll(/`(GET|POST) (\/[^`]+)`/g)].flatMap((m) =>
      m[2].split(/,\s*(?:`?(?:GET|POST)\s)?/).map((p) => [m[1], p.replace(/`/g, "").trim()] as const),
    );
    expect(routes.length).toBeGreaterThan(10);
    for (const [method, raw] of routes) {
      const path = raw.split("?")[0];
      if (path.includes("…")) continue; // "…/safety-case" abbreviations are covered by the release routes below
      expect(doc.paths[path]?.[method.toLowerCase()], `${method} ${path}`).toBeDefined();
    }
    for (const p of ["/v1/releases/{id}/safety-case", "/v1/releases/{id}/sbom", "/v1/releases/{id}/bundle", "/v1/decisions/{id}"]) {
      expect(doc.paths[p]?.get, p).toBeDefined();
    }
  });

  it("resolves every component $ref and uses the schemas the server validates with", () => {
    const refs = JSON.stringify(doc).match(/#\/components\/schemas\/[\w.-]+/g) ?? [];
    for (const r of refs) expect(doc.components.schemas[r.split("/").pop()!], r).toBeDefined();
    expect(doc.paths["/v1/releases"].post.requestBody.content["application/json"].schema.$ref).toBe("#/components/schemas/release.release-create");
    expect(doc.components.schemas["gsn.safety-case"]).toEqual(JSON.parse(readFileSync("schemas/gsn/safety-case.schema.json", "utf8")));
  });
});
