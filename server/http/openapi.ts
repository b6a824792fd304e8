// OpenAPI 3.1 description of the whole HTTP contract (docs/contract.md), generated from the route × role table
// (server/auth/route-roles.ts) and the same JSON Schemas (schemas/**) the server validates with — so it cannot drift.
import { readdirSync, readFileSync } from "node:fs";
import { basename, dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { ROUTE_ROLES, type RouteRule } from "../auth/route-roles.ts";

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

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: object) => ({ "application/json": { schema } });

/** Request bodies by route, named by their schema component. */
const BODIES: Record<string, string> = {
  "/v1/mediate": "mediate.tool-call",
  "/v1/mediate/:decisionId/outcome": "mediate.outcome",
  "/v1/runsets": "mediate.runset-registration",
  "/v1/runs/:runId/events": "mediate.run-event",
  "/v1/waivers": "waiver.request",
  "/v1/waivers/:id/approve": "waiver.approve",
  "/v1/waivers/:id/revoke": "waiver.revoke",
  "/v1/holds": "hold.place",
  "/v1/holds/:id/clear": "hold.clear",
  "/v1/breakglass": "breakglass.open",
  "/v1/breakglass/:id/review": "breakglass.review",
  "/v1/releases": "release.release-create",
  "/v1/webhooks": "webhook.subscribe",
  "/v1/webhooks/:id/remove": "webhook.remove",
};

/** Routes whose body may be left out (an approval without a comment). */
const OPTIONAL_BODIES = new Set(["/v1/waivers/:id/approve"]);

/** POST routes that answer 201 Created (the rest answer 200). */
const CREATED = new Set([
  "/v1/releases",
  "/v1/holds",
  "/v1/waivers",
  "/v1/runsets",
  "/v1/breakglass",
  "/v1/runs/:runId/events",
  "/v1/webhooks",
]);

/** Worked request bodies for the routes a newcomer calls by hand first; openapi-examples.test.ts holds them to their schemas. */
export const BODY_EXAMPLES: Record<string, object> = {
  "/v1/mediate/:decisionId/outcome": {
    status: "ok",
    summary: "read 120 lines of src/app.ts",
    outputDigest: `sha256:${"0".repeat(64)}`,
    costUsd: 0.0012,
  },
  "/v1/releases": {
    id: "app-1.2.0",
    repository: "acme/app",
    version: "1.2.0",
    artifacts: [{ name: "app-1.2.0.tgz", digest: { sha256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08" } }],
    runsets: ["fix-login"],
    sbom: { packageLock: { name: "app", version: "1.2.0", lockfileVersion: 3, packages: { "": { name: "app", version: "1.2.0" } } } },
  },
};

function withExample(content: Record<string, { schema: object }>, example: object | undefined): Record<string, object> {
  return example ? { "application/json": { ...content["application/json"], example } } : content;
}

/** The one error body; `details` lists every field at fault (a body can be wrong in several places), `field` is the first. */
const ERROR_SCHEMA = {
  type: "object",
  required: ["error"],
  properties: {
    error: {
      type: "object",
      required: ["code", "message"],
      properties: {
        code: { type: "string" },
        message: { type: "string" },
        field: { type: "string", description: "JSON pointer of the first field at fault" },
        details: {
          type: "array",
          items: { type: "object", required: ["field", "message"], properties: { field: { type: "string" }, message: { type: "string" } } },
        },
      },
    },
  },
  example: {
    error: {
      code: "invalid_field",
      message: 'session is required; capability must be one of "repo.read", "repo.write", …',
      field: "/session",
      details: [
        { field: "/session", message: "session is required" },
        { field: "/capability", message: 'capability must be one of "repo.read", "repo.write", …' },
      ],
    },
  },
};

const PAGE = ["cursor", "limit"];
const QUERIES: Record<string, string[]> = {
  "/v1/ledger/proofs/inclusion": ["index*", "size*"],
  "/v1/ledger/proofs/consistency": ["from*", "to*"],
  "/v1/ledger/entries": ["from", "limit"],
  "/v1/releases": [...PAGE, "state"],
  "/v1/decisions": [...PAGE, "release", "session", "runset", "decision"],
  "/v1/releases/:id/safety-case": ["format"],
  // Exceptions are few and listed whole (no paging), filtered by state.
  "/v1/waivers": ["state", "capability"],
  "/v1/holds": ["state"],
  "/v1/breakglass": ["state", "overdue"],
  "/v1/webhooks/failures": ["webhook", "state"],
  // Or the Last-Event-ID header: resume after that index.
  "/v1/ledger/stream": ["from"],
};

const list = (item: object) => ({
  type: "object",
  required: ["items", "nextCursor"],
  properties: { items: { type: "array", items: item }, nextCursor: { type: ["string", "null"] } },
});

/** Success responses for routes whose body has a schema (others: application/json object). */
function success(rule: RouteRule): Record<string, unknown> {
  const text = (description: string) => ({ description, content: { "text/plain": { schema: { type: "string" } } } });
  switch (`${rule.method} ${rule.path}`) {
    case "GET /v1/ledger/checkpoint":
    case "GET /tlog/checkpoint":
      return text("C2SP tlog-checkpoint in a C2SP signed note");
    case "GET /v1/ledger/key":
      return text("signed-note verifier key (vkey)");
    case "GET /metrics":
      return text("Prometheus text exposition format");
    case "GET /v1/ledger/stream":
      return {
        description: "Server-Sent Events; resume with Last-Event-ID",
        content: { "text/event-stream": { schema: { type: "string" } } },
      };
    case "GET /v1/ledger/entries/:index":
      return {
        description: "one entry: its RFC 8785 bytes (base64), leaf hash, detached JWS and the parsed event",
        content: json({
          type: "object",
          required: ["index", "leafHash", "canonical", "event", "signature"],
          properties: {
            index: { type: "integer" },
            leafHash: { type: "string" },
            canonical: { type: "string" },
            event: ref("ledger.event"),
            signature: { type: "string" },
          },
        }),
      };
    case "GET /v1/releases":
      return { description: "releases, newest first", content: json(list(ref("release.release"))) };
    case "GET /v1/releases/:id":
      return {
        description: "the release and what an auditor should check",
        content: json({ type: "object", properties: { release: ref("release.release"), auditor: { type: "object" } } }),
      };
    case "POST /v1/releases":
    case "POST /v1/releases/:id/publish":
      return { description: "the release", content: json({ type: "object", properties: { release: ref("release.release") } }) };
    case "GET /v1/releases/:id/safety-case":
      return {
        description: "the GSN safety case, or with format=sigstore the Sigstore bundle v0.3 that signs it",
        content: { ...json(ref("gsn.safety-case")), "application/vnd.dev.sigstore.bundle.v0.3+json": { schema: { type: "object" } } },
      };
    case "GET /v1/releases/:id/sbom":
      return { description: "CycloneDX JSON (ECMA-424)", content: { "application/vnd.cyclonedx+json": { schema: { type: "object" } } } };
    case "GET /v1/releases/:id/bundle":
      return {
        description: "self-contained evidence bundle (maestro evidence verify checks it offline)",
        content: json(ref("gsn.evidence-export")),
      };
    case "POST /v1/webhooks":
      return {
        description: "the subscription and its signing secret, which no later answer repeats",
        content: json({
          allOf: [ref("webhook.subscription"), { type: "object", required: ["secret"], properties: { secret: { type: "string" } } }],
        }),
      };
    case "POST /v1/webhooks/:id/remove":
    case "GET /v1/webhooks/:id":
      return { description: rule.does, content: json(ref("webhook.subscription")) };
    case "GET /v1/webhooks":
      return {
        description: rule.does,
        content: json({
          type: "object",
          required: ["webhooks"],
          properties: { webhooks: { type: "array", items: ref("webhook.subscription") } },
        }),
      };
    default:
      return { description: rule.does, content: json({ type: "object" }) };
  }
}

function operation(rule: RouteRule): Record<string, unknown> {
  const pathParams = [...rule.path.matchAll(/:(\w+)/g)].map((m) => m[1]);
  if (rule.path.endsWith("/*")) pathParams.push("path");
  const query = QUERIES[rule.path] && rule.method === "GET" ? QUERIES[rule.path] : [];
  const parameters = [
    ...pathParams.map((name) => ({ name, in: "path", required: true, schema: { type: "string" } })),
    ...query.map((q) => ({ name: q.replace("*", ""), in: "query", required: q.endsWith("*"), schema: { type: "string" } })),
  ];
  const errors = Object.fromEntries(
    [400, 401, 403, 404, 405, 409, 413, 422, 503].map((s) => [String(s), { description: "error", content: json(ref("Error")) }]),
  );
  const body = BODIES[rule.path];
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
            required: Boolean(body) && !OPTIONAL_BODIES.has(rule.path),
            content: withExample(json(body ? ref(body) : { type: "object" }), BODY_EXAMPLES[rule.path]),
          },
        }
      : {}),
    responses: { [rule.method === "POST" && CREATED.has(rule.path) ? "201" : "200"]: success(rule), ...errors },
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
  for (const rule of ROUTE_ROLES) {
    if (OUTSIDE_DOCUMENT.has(`${rule.method} ${rule.path}`)) continue;
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
      schemas: usedBy(paths, {
        ...loadSchemas(),
        Error: ERROR_SCHEMA,
      }),
    },
  };
}

/** The schemas the paths reach, directly or through other schemas: files only the CLI reads (run-set files, tool maps) stay out. */
function usedBy(paths: object, schemas: Record<string, object>): Record<string, object> {
  const used = new Set<string>();
  const visit = (node: object): void => {
    for (const [, name] of JSON.stringify(node).matchAll(/"#\/components\/schemas\/([^"/]+)/g)) {
      if (used.has(name) || !schemas[name]) continue;
      used.add(name);
      visit(schemas[name]);
    }
  };
  visit(paths);
  return Object.fromEntries(Object.entries(schemas).filter(([name]) => used.has(name)));
}
