// OpenAPI 3.1 description of the whole HTTP contract (docs/contract.md), generated from the route table (routes.ts)
// and the same JSON Schemas (schemas/**) the server validates with — so it cannot drift.
import { readdirSync, readFileSync } from "node:fs";
import { basename, dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { type Route, routeKey, type SchemaRef } from "./route.ts";
import { ROUTES } from "./route-table.ts";
import { present } from "../../common/present.ts";

const SCHEMA_ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "schemas");

/** Every schema file as a component named "<folder>.<name>", e.g. "release.release-create", "gsn.safety-case". */
function loadSchemas(): Record<string, object> {
  const files: Record<string, { $id?: string }> = {};
  for (const entry of readdirSync(SCHEMA_ROOT, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith(".schema.json")) continue;
    const file = join(entry.parentPath, entry.name);
    const folder = relative(SCHEMA_ROOT, entry.parentPath).replaceAll("/", ".");
    files[`${folder}.${basename(entry.name, ".schema.json")}`] = JSON.parse(readFileSync(file, "utf8"));
  }
  return internalRefs(files);
}

/**
 * The schema files name each other by `$id` and relative `$ref`s, which ajv resolves but OpenAPI tools resolve
 * against the document (Redocly: no-unresolved-refs). So the components drop `$id` and every `$ref` becomes an
 * internal `#/components/schemas/<name>…` pointer; a `$ref` that names no schema file fails here, at build.
 */
export function internalRefs(files: Record<string, { $id?: string }>): Record<string, object> {
  const byId = new Map(Object.entries(files).map(([name, schema]) => [schema.$id, name]));
  const rewrite = (node: unknown, name: string, base: string): unknown => {
    if (Array.isArray(node)) return node.map((n) => rewrite(n, name, base));
    if (node === null || typeof node !== "object") return node;
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(node)) {
      if (key === "$id") continue;
      if (key === "$ref" && typeof value === "string") {
        const url = new URL(value, base);
        const target = byId.get(`${url.origin}${url.pathname}`);
        if (!target) throw new Error(`schema ${name}: $ref ${value} names no schema file`);
        out[key] = `#/components/schemas/${target}${decodeURIComponent(url.hash.slice(1))}`;
      } else {
        out[key] = rewrite(value, name, base);
      }
    }
    return out;
  };
  return Object.fromEntries(
    Object.entries(files).map(([name, schema]) => {
      if (!schema.$id) throw new Error(`schema ${name} has no $id`);
      return [name, rewrite(schema, name, schema.$id) as object];
    }),
  );
}

const schemaOf = (schema: SchemaRef) => (typeof schema === "string" ? { $ref: `#/components/schemas/${schema}` } : schema);

const contentOf = (content: Record<string, SchemaRef>) =>
  Object.fromEntries(Object.entries(content).map(([type, schema]) => [type, { schema: schemaOf(schema) }]));

const ETAG = { description: "strong entity tag of the body (RFC 9110 §8.8.3)", schema: { type: "string" } };

/** The success answer the route declares, each media type with its schema. */
function success(route: Route): Record<string, unknown> {
  return {
    description: route.response.description ?? route.does,
    ...(route.etag ? { headers: { ETag: ETAG } } : {}),
    content: contentOf(route.response.content),
  };
}

/**
 * Every route can refuse with the one error body: the statuses of common/errors.ts a route reaches, 500 for what no
 * code names (error-handler.ts: it leaks nothing), and 503 with Retry-After when the store or the ledger is down.
 */
const ERROR_STATUSES = [400, 401, 403, 404, 405, 409, 413, 422, 500, 503];
const RETRY_AFTER = { description: "seconds to wait before retrying", schema: { type: "string", pattern: "^[0-9]+$" } };

const answer = (status: string, description: string, content: Record<string, SchemaRef>) => ({
  description,
  ...(status === "503" ? { headers: { "Retry-After": RETRY_AFTER } } : {}),
  content: contentOf(content),
});

/** Every status the route answers: its success, 304 when it tags its answers, the errors, and its own other answers. */
function answers(rule: Route): Record<string, unknown> {
  const errors = ERROR_STATUSES.map(String).map((s) => [s, answer(s, "error", { "application/json": "http.error" })] as const);
  const others = Object.entries(rule.otherAnswers ?? {}).map(([s, other]) => [s, answer(s, other.description, other.content)] as const);
  const notModified = { description: "not modified: If-None-Match names the current ETag; no body", headers: { ETag: ETAG } };
  return {
    [String(rule.status ?? 200)]: success(rule),
    ...(rule.etag ? { "304": notModified } : {}),
    ...Object.fromEntries(errors),
    ...Object.fromEntries(others),
  };
}

function operation(rule: Route): Record<string, unknown> {
  const pathParams = [...rule.path.matchAll(/:(\w+)/g)].map((m) => present(m[1], "path parameter name"));
  if (rule.path.endsWith("/*")) pathParams.push("path");
  const query = rule.query ?? [];
  const parameters = [
    ...pathParams.map((name) => ({ name, in: "path", required: true, schema: rule.params?.[name] ?? { type: "string" } })),
    ...query.map((q) => {
      const name = q.replace("*", "");
      return { name, in: "query", required: q.endsWith("*"), schema: rule.params?.[name] ?? { type: "string" } };
    }),
    ...Object.entries(rule.headers ?? {}).map(([name, schema]) => ({ name, in: "header", required: false, schema })),
    ...(rule.etag
      ? [{ name: "If-None-Match", in: "header", required: false, description: "an ETag this route gave", schema: { type: "string" } }]
      : []),
  ];
  return {
    summary: rule.does,
    operationId: `${rule.method.toLowerCase()}${rule.path.replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ? c.toUpperCase() : ""))}`,
    tags: [rule.method === "GET" ? "evidence" : "control"],
    "x-roles": rule.roles,
    security: rule.roles === "public" ? [] : [{ bearer: [] }],
    ...(parameters.length ? { parameters } : {}),
    ...(rule.method === "POST"
      ? {
          requestBody: {
            required: Boolean(rule.body) && !rule.optionalBody,
            content: {
              "application/json": {
                schema: schemaOf(rule.body ?? { type: "object" }),
                ...(rule.bodyExample && { example: rule.bodyExample }),
              },
            },
          },
        }
      : {}),
    responses: answers(rule),
  };
}

/**
 * C2SP tlog-tiles paths (`tile/0/x001/234.p/5`, `tile/entries/000`) hold a variable number of `/`-separated parts,
 * which an OpenAPI path parameter cannot; so these routes are left out of the document and described in its info.
 */
export const OUTSIDE_DOCUMENT: ReadonlySet<string> = new Set(["GET /tlog/tile/*"]);

const DESCRIPTION = [
  'Control API (authenticated writes) and read-only Evidence API. Every error is {"error": {code, message, field?, details?}};',
  "details lists every field at fault, and field is the first.",
  "Not in this document: `GET /tlog/tile/{L}/{N}[.p/{W}]` and `GET /tlog/tile/entries/{N}[.p/{W}]`, the C2SP tlog-tiles",
  "(https://c2sp.org/tlog-tiles) hash tiles and entry bundles, `application/octet-stream`: their index N is split into",
  "`/`-separated groups (x001/234), which no OpenAPI path parameter can hold. Same roles as `GET /tlog/checkpoint`.",
].join(" ");

/** The OpenAPI document; `serverUrl` is where it is served (the default `maestro serve` address otherwise). */
export function openApiDocument(serverUrl = "http://127.0.0.1:8787"): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const rule of ROUTES) {
    if (OUTSIDE_DOCUMENT.has(routeKey(rule))) continue;
    const path = rule.path.replace(/:(\w+)/g, "{$1}").replace(/\/\*$/, "/{path}");
    paths[path] = { ...paths[path], [rule.method.toLowerCase()]: operation(rule) };
  }
  return {
    openapi: "3.1.0",
    jsonSchemaDialect: "https://json-schema.org/draft/2020-12/schema",
    info: {
      title: "Maestro governance API",
      version: "0.1.0",
      license: { name: "Apache-2.0", identifier: "Apache-2.0" },
      description: DESCRIPTION,
    },
    servers: [{ url: serverUrl, description: "this Maestro server" }],
    tags: [
      { name: "control", description: "POST only, bearer token" },
      { name: "evidence", description: "GET only; auditor token unless public read is on" },
    ],
    paths,
    components: {
      securitySchemes: { bearer: { type: "http", scheme: "bearer", bearerFormat: "JWT" } },
      schemas: usedBy(paths, loadSchemas()),
    },
  };
}

/** The schemas the paths reach, directly or through other schemas: files only the CLI reads (run-set files, tool maps) stay out. */
function usedBy(paths: object, schemas: Record<string, object>): Record<string, object> {
  const used = new Set<string>();
  const visit = (node: object): void => {
    for (const match of JSON.stringify(node).matchAll(/"#\/components\/schemas\/([^"/]+)/g)) {
      const name = present(match[1], "schema reference name");
      const schema = schemas[name];
      if (used.has(name) || !schema) continue;
      used.add(name);
      visit(schema);
    }
  };
  visit(paths);
  return Object.fromEntries(Object.entries(schemas).filter(([name]) => used.has(name)));
}
