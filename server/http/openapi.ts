// OpenAPI 3.1 description of the whole HTTP contract (docs/contract.md), generated from the route × role table
// (server/auth/route-roles.ts) and the same JSON Schemas (schemas/**) the server validates with — so it cannot drift.
import { readdirSync, readFileSync } from "node:fs";
import { basename, dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { ROUTE_ROLES, type RouteRule } from "../auth/route-roles.ts";

const SCHEMA_ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "schemas");

/** Every schema file as a component named "<folder>.<name>", e.g. "release.release-create", "gsn.safety-case". */
function loadSchemas(): Record<string, object> {
  const out: Record<string, object> = {};
  for (const entry of readdirSync(SCHEMA_ROOT, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith(".schema.json")) continue;
    const file = join(entry.parentPath, entry.name);
    const folder = relative(SCHEMA_ROOT, entry.parentPath).replaceAll("/", ".");
    out[`${folder}.${basename(entry.name, ".schema.json")}`] = JSON.parse(readFileSync(file, "utf8"));
  }
  return out;
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
  "/v1/waivers": ["state"],
  "/v1/holds": ["state"],
  "/v1/breakglass": ["state"],
  // Or the Last-Event-ID header: resume after that index.
  "/v1/ledger/stream": ["from"],
};

const list = (item: object) => ({ type: "object", required: ["items", "nextCursor"], properties: { items: { type: "array", items: item }, nextCursor: { type: ["string", "null"] } } });

/** Success responses for routes whose body has a schema (others: application/json object). */
function success(rule: RouteRule): Record<string, unknown> {
  const text = (description: string) => ({ description, content: { "text/plain": { schema: { type: "string" } } } });
  switch (`${rule.method} ${rule.path}`) {
    case "GET /v1/ledger/checkpoint":
    case "GET /tlog/checkpoint":
      return text("C2SP tlog-checkpoint in a C2SP signed note");
    case "GET /v1/ledger/key":
      return text("signed-note verifier key (vkey)");
    case "GET /v1/ledger/stream":
      return { description: "Server-Sent Events; resume with Last-Event-ID", content: { "text/event-stream": { schema: { type: "string" } } } };
    case "GET /tlog/tile/*":
      return { description: "tile or entry bundle", content: { "application/octet-stream": { schema: { type: "string", format: "binary" } } } };
    case "GET /v1/releases":
      return { description: "releases, newest first", content: json(list(ref("release.release"))) };
    case "GET /v1/releases/:id":
      return { description: "the release and what an auditor should check", content: json({ type: "object", properties: { release: ref("release.release"), auditor: { type: "object" } } }) };
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
      return { description: "self-contained evidence bundle (maestro evidence verify checks it offline)", content: json(ref("gsn.evidence-export")) };
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
    ...(rule.method === "POST" ? { requestBody: { required: Boolean(body), content: json(body ? ref(body) : { type: "object" }) } } : {}),
    responses: { [rule.method === "POST" && ["/v1/releases", "/v1/holds", "/v1/waivers", "/v1/runsets", "/v1/breakglass"].includes(rule.path) ? "201" : "200"]: success(rule), ...errors },
  };
}

export function openApiDocument(): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const rule of ROUTE_ROLES) {
    const path = rule.path.replace(/:(\w+)/g, "{$1}").replace(/\/\*$/, "/{path}");
    paths[path] = { ...paths[path], [rule.method.toLowerCase()]: operation(rule) };
  }
  return {
    openapi: "3.1.0",
    jsonSchemaDialect: "https://json-schema.org/draft/2020-12/schema",
    info: {
      title: "Maestro governance API",
      version: "0.1.0",
      description: "Control API (authenticated writes) and read-only Evidence API. Every error is {\"error\": {code, message, field?}}.",
    },
    tags: [{ name: "control", description: "POST only, bearer token" }, { name: "evidence", description: "GET only; auditor token unless public read is on" }],
    paths,
    components: {
      securitySchemes: { bearer: { type: "http", scheme: "bearer", bearerFormat: "JWT" } },
      schemas: {
        ...loadSchemas(),
        Error: {
          type: "object",
          required: ["error"],
          properties: { error: { type: "object", required: ["code", "message"], properties: { code: { type: "string" }, message: { type: "string" }, field: { type: "string" } } } },
        },
      },
    },
  };
}
