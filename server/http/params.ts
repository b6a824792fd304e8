// Strict parsing of path and query parameters and JSON bodies at the HTTP boundary; every error names the field.
import { MaestroError } from "../../common/errors.ts";
import { jsonShapeProblem, stringProblem } from "../../common/json-shape.ts";
import { UUID } from "../../common/uuid.ts";

/** A ledger index or size as a path or query parameter: decimal, no sign, no leading zero. */
const INDEX = /^(0|[1-9]\d{0,15})$/;

/** What parseIndexParam takes, for the OpenAPI document. */
export const INDEX_PARAM = { type: "string", pattern: INDEX.source, description: "a non-negative integer" } as const;

/** An id the server minted (a waiver's, a webhook's, a decision's), for the OpenAPI document. */
export const UUID_PARAM = { type: "string", pattern: UUID.source, description: "a UUID the server gave" } as const;

export function parseIndexParam(value: string | undefined, field: string): number {
  if (value === undefined || value === "") throw new MaestroError("invalid_field", `${field} is required`, { field });
  if (!INDEX.test(value)) {
    throw new MaestroError("invalid_field", `${field} must be a non-negative integer`, { field });
  }
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new MaestroError("invalid_field", `${field} is too large`, { field });
  return n;
}

/**
 * Reads a JSON body, mapping malformed JSON to a 400 naming the body, and holds every string and key in it to
 * json-shape.ts (no NUL, no lone surrogate, bounded nesting) before any route sees it.
 */
export async function readJson(req: { json(): Promise<unknown> }): Promise<unknown> {
  let body: unknown;
  try {
    body = await req.json();
  } catch {
    throw new MaestroError("bad_request", "request body must be valid JSON", { field: "/" });
  }
  const problem = jsonShapeProblem(body);
  if (problem) throw new MaestroError("invalid_field", problem.message, { field: problem.field });
  return body;
}

/** An empty body reads as {}; anything else as readJson does (e.g. a waiver approval with or without a comment). */
export async function readOptionalJson(req: { text(): Promise<string> }): Promise<unknown> {
  const text = await req.text();
  if (text.trim() === "") return {};
  return readJson({ json: async () => JSON.parse(text) });
}

/**
 * Refuses a path or query parameter the store could not hold or compare: U+0000 (`%00`), a lone surrogate, or a
 * percent-encoding that is not UTF-8 (hono then hands it over still encoded). `/v1/decisions/%00` reached PostgreSQL
 * and answered 500; every route is checked here, once, before its handler runs. `url` is the raw request URL:
 * encodings are judged there, not on values already decoded (a literal "%ab", sent as "%25ab", is fine).
 */
export function checkRequestParams(url: string, params: Record<string, string>, query: Record<string, string[]>): void {
  if (url.includes("%")) checkEncodings(url, params);
  for (const [name, value] of Object.entries(params)) checkParam(name, value);
  for (const [name, values] of Object.entries(query)) {
    checkParam(name, name);
    for (const value of values) checkParam(name, value);
  }
}

function checkParam(field: string, value: string): void {
  const problem = stringProblem(value);
  if (problem) throw new MaestroError("invalid_field", `${field}: ${problem}`, { field });
}

function checkEncodings(url: string, params: Record<string, string>): void {
  const { pathname, search } = new URL(url);
  const undecodable = "is not valid percent-encoded UTF-8";
  for (const segment of pathname.split("/")) {
    if (decodes(segment)) continue;
    // hono leaves a segment it cannot decode as it came: that names the parameter.
    const field = Object.entries(params).find(([, value]) => value === segment)?.[0] ?? "path";
    throw new MaestroError("invalid_field", `${field} ${undecodable}`, { field });
  }
  for (const pair of search.slice(1).split("&")) {
    const [key = "", value = ""] = pair.split("=", 2).map((part) => part.replaceAll("+", " "));
    if (decodes(key) && decodes(value)) continue;
    const field = decodes(key) ? decodeURIComponent(key) : "query";
    throw new MaestroError("invalid_field", `${field} ${undecodable}`, { field });
  }
}

function decodes(value: string): boolean {
  try {
    decodeURIComponent(value);
    return true;
  } catch {
    return false;
  }
}
