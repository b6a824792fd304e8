// The OpenAPI document covers every route of the external contract and every $ref resolves.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ROUTE_ROLES } from "../auth/route-roles.ts";
import { internalRefs, openApiDocument, OUTSIDE_DOCUMENT } from "./openapi.ts";
import { routeKey } from "./route.ts";
import { ROUTES } from "./route-table.ts";
import { itemAt, present } from "../../common/present.ts";

const doc = openApiDocument() as {
  openapi: string;
  info: { description: string };
  servers: Array<{ url: string }>;
  paths: Record<string, Record<string, any>>;
  components: { schemas: Record<string, object> };
};

describe("openapi.json", () => {
  it("is OpenAPI 3.1 and describes every route of the table from its one declaration, each JSON answer by a named schema", () => {
    expect(doc.openapi).toBe("3.1.0");
    for (const r of ROUTE_ROLES) {
      if (OUTSIDE_DOCUMENT.has(routeKey(r))) continue;
      const op = doc.paths[r.path.replace(/:(\w+)/g, "{$1}")]?.[r.method.toLowerCase()];
      expect(op?.["x-roles"], routeKey(r)).toEqual(r.roles);
      const answer = op.responses[String(r.status ?? 200)].content;
      expect(Object.keys(answer), routeKey(r)).toEqual(Object.keys(r.response.content));
      // Issue 17: never a bare {type: object}.
      for (const type of Object.keys(answer).filter((t) => t.endsWith("json")))
        expect(answer[type].schema.$ref, `${routeKey(r)} ${type}`).toMatch(/^#\/components\/schemas\/[a-z]+\.[a-z-]+$/);
      if (r.body) expect(op.requestBody.content["application/json"].schema.$ref).toBe(`#/components/schemas/${r.body}`);
      for (const q of r.query ?? []) expect(op.parameters.map((p: { name: string }) => p.name)).toContain(q.replace("*", ""));
    }
  });

  it("gives each parameter a route holds to more than a string its schema, and 304 to each route that answers with ETags", () => {
    for (const r of ROUTES) {
      if (OUTSIDE_DOCUMENT.has(routeKey(r))) continue;
      const op = doc.paths[r.path.replace(/:(\w+)/g, "{$1}")]?.[r.method.toLowerCase()];
      // A params entry that names no parameter of the route would describe nothing: a misspelt name fails here.
      for (const [name, schema] of Object.entries(r.params ?? {}))
        expect(op.parameters.find((p: { name: string }) => p.name === name)?.schema, `${routeKey(r)} ${name}`).toEqual(schema);
      expect(Boolean(op.responses["304"]), routeKey(r)).toBe(Boolean(r.etag));
      expect(op.responses["500"].content["application/json"].schema.$ref, routeKey(r)).toBe("#/components/schemas/http.error");
    }
  });

  it("names its server, and describes the tile routes it leaves out and why", () => {
    expect(doc.servers).toEqual([{ url: "http://127.0.0.1:8787", description: "this Maestro server" }]);
    expect(itemAt((openApiDocument("https://maestro.example") as typeof doc).servers, 0, "servers").url).toBe("https://maestro.example");
    expect(Object.keys(doc.paths).some((p) => p.startsWith("/tlog/tile"))).toBe(false);
    expect(doc.info.description).toContain("/tlog/tile/entries/{N}");
  });

  it("describes every route docs/contract.md fixes", () => {
    const arch = readFileSync(new URL("../../docs/contract.md", import.meta.url), "utf8");
    const routes = [...arch.matchAll(/`(GET|POST) (\/[^`]+)`/g)].flatMap((m) => {
      const method = present(m[1], "a route's method");
      return present(m[2], "a route's paths")
        .split(/,\s*(?:`?(?:GET|POST)\s)?/)
        .map((p) => [method, p.replace(/`/g, "").trim()] as const);
    });
    expect(routes.length).toBeGreaterThan(10);
    for (const [method, raw] of routes) {
      const path = present(raw.split("?")[0], "a route's path");
      if (path.includes("…")) continue; // "…/safety-case" abbreviations are covered by the release routes below
      if (path.startsWith("/tlog/tile/")) continue; // outside the document, described in its info (test above)
      expect(doc.paths[path]?.[method.toLowerCase()], `${method} ${path}`).toBeDefined();
    }
    for (const p of ["/v1/releases/{id}/safety-case", "/v1/releases/{id}/sbom", "/v1/releases/{id}/bundle", "/v1/decisions/{id}"]) {
      expect(doc.paths[p]?.get, p).toBeDefined();
    }
  });

  it("has only internal refs, each resolving, and the schemas the server validates with", () => {
    const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"([^"]+)"/g)].map((m) => present(m[1], "a $ref"));
    expect(refs.length).toBeGreaterThan(10);
    for (const r of refs) {
      expect(r, r).toMatch(/^#\/components\/schemas\//);
      const target = r
        .slice(2)
        .split("/")
        .reduce<any>((node, key) => node?.[key.replaceAll("~1", "/").replaceAll("~0", "~")], doc);
      expect(target, r).toBeDefined();
    }
    expect(JSON.stringify(doc)).not.toContain('"$id"');
    expect(present(doc.paths["/v1/releases"], "/v1/releases").post.requestBody.content["application/json"].schema.$ref).toBe(
      "#/components/schemas/release.release-create",
    );
    const { $id: _id, ...file } = JSON.parse(readFileSync("schemas/gsn/goal.schema.json", "utf8"));
    expect(doc.components.schemas["gsn.goal"]).toEqual(file);
    expect(JSON.stringify(doc.components.schemas["gsn.safety-case"])).toContain('"$ref":"#/components/schemas/gsn.goal"');
  });

  it("rewrites relative, absolute and local refs, and fails on a ref that names no schema file", () => {
    const files = {
      "a.one": {
        $id: "https://x.test/a/one.schema.json",
        properties: { b: { $ref: "../b/two.schema.json#/$defs/n" }, c: { $ref: "#/$defs/m" } },
        $defs: { m: {} },
      },
      "b.two": { $id: "https://x.test/b/two.schema.json", items: { $ref: "https://x.test/a/one.schema.json" }, $defs: { n: {} } },
    };
    expect(internalRefs(files)).toEqual({
      "a.one": {
        properties: { b: { $ref: "#/components/schemas/b.two/$defs/n" }, c: { $ref: "#/components/schemas/a.one/$defs/m" } },
        $defs: { m: {} },
      },
      "b.two": { items: { $ref: "#/components/schemas/a.one" }, $defs: { n: {} } },
    });
    expect(() =>
      internalRefs({ "a.one": { $id: "https://x.test/a/one.schema.json", items: { $ref: "nope.schema.json" } } as never }),
    ).toThrow(/names no schema file/);
  });
});
