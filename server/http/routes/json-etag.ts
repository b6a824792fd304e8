// Strong ETags (RFC 9110 §8.8.3) for JSON evidence responses, with If-None-Match → 304 so pollers re-download nothing.
import { createHash } from "node:crypto";
import type { Context } from "hono";

export function etagOf(body: string): string {
  return `"${createHash("sha256").update(body).digest("base64url")}"`;
}

function matches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === "*") return true;
  return header.split(",").some((t) => t.trim().replace(/^W\//, "") === etag);
}

/** Serializes once, tags the bytes, and answers 304 when the client already has them. */
export function jsonWithEtag(c: Context, value: unknown, headers: Record<string, string> = {}): Response {
  const body = JSON.stringify(value);
  const etag = etagOf(body);
  const common = { ETag: etag, "Cache-Control": "no-cache", ...headers };
  if (matches(c.req.header("if-none-match"), etag)) return c.body(null, 304, common);
  return c.body(body, 200, { "Content-Type": "application/json; charset=utf-8", ...common });
}

/** Adds a Link: <…>; rel="next" header (RFC 8288) for cursor pagination. */
export function nextLink(c: Context, cursor: string | null): Record<string, string> {
  if (!cursor) return {};
  const url = new URL(c.req.url);
  url.searchParams.set("cursor", cursor);
  return { Link: `<${url.pathname}${url.search}>; rel="next"` };
}
