// One route as the route table (route-table.ts) declares it: the router mounts it, the role matrix lists it and the OpenAPI
// document describes it, all from this one declaration.
import type { Handler } from "hono";
import type { AuthEnv } from "../auth/middleware.ts";
import type { Role } from "../auth/roles.ts";
import type { Services } from "../compose.ts";

/** The Evidence API's access: auditors, admin and security, or anyone when the operator turns on public read. */
export const EVIDENCE = { roles: ["auditor", "admin", "security"], publicRead: true } as const;

/** Largest JSON body a route accepts unless it names its own bound; bigger ones get 413 before parsing. */
export const MAX_BODY_BYTES = 256 * 1024;

/** The body bound the router enforces for a route. */
export const bodyLimitOf = (route: Pick<Route, "maxBodyBytes">): number => route.maxBodyBytes ?? MAX_BODY_BYTES;

/** What handlers are built from: the services, and the document GET /openapi.json serves (built from this table). */
export interface RouteDeps extends Services {
  openApiDocument(serverUrl: string): Record<string, unknown>;
}

/** A schema: a component name ("release.release" for schemas/release/release.schema.json) or an inline JSON Schema. */
export type SchemaRef = string | Record<string, unknown>;

export interface Route {
  method: "GET" | "POST";
  /** The Hono path pattern, e.g. "/v1/waivers/:id/approve". */
  path: string;
  /** Roles allowed; "public" routes need no token at all. */
  roles: readonly Role[] | "public";
  does: string;
  /** Evidence API: served without a token when the operator turns on MAESTRO_PUBLIC_READ=1. */
  publicRead?: true;
  /** Served without a token when the operator opts in with MAESTRO_PUBLIC_LOG=1 (what standard tile clients need). */
  publicLog?: true;
  /** Query parameters; a trailing "*" marks one as required. */
  query?: readonly string[];
  /** The schema of a path or query parameter the route holds to more than "a string" (an index, an enum), by name. */
  params?: Record<string, Record<string, unknown>>;
  /** Optional request headers the route reads (Last-Event-ID), by name, with their schema. */
  headers?: Record<string, Record<string, unknown>>;
  /** The JSON body's schema (POST); `optionalBody` when it may be left out. */
  body?: string;
  optionalBody?: true;
  /** A worked request body, held to its schema by openapi-examples.test.ts. */
  bodyExample?: Record<string, unknown>;
  /** This route's body bound, when it is not MAX_BODY_BYTES. */
  maxBodyBytes?: number;
  /** Success status (200 unless said). */
  status?: 201;
  /** The success answer: its description (the route's `does` otherwise) and schema per media type. */
  response: { description?: string; content: Record<string, SchemaRef> };
  /** Answered through jsonWithEtag (routes/json-etag.ts): an ETag on the success, 304 to a matching If-None-Match. */
  etag?: true;
  /** Answers besides the success and the shared error bodies, by status (e.g. /healthz's own 503 body). */
  otherAnswers?: Record<number, { description: string; content: Record<string, SchemaRef> }>;
  /** Builds the handler once, from only the services it needs. */
  handler: (deps: RouteDeps) => Handler<AuthEnv>;
}

export const routeKey = (r: Pick<Route, "method" | "path">): string => `${r.method} ${r.path}`;

/** The usual answer: JSON in the named (or inline) schema. */
export const json = (schema: SchemaRef, description?: string): Route["response"] => ({
  description,
  content: { "application/json": schema },
});
