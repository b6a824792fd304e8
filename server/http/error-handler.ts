// Turns any thrown error into the contract's JSON error body; unknown errors become a 500 that leaks nothing.
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import { MaestroError, isMaestroError } from "../../common/errors.ts";

export function errorResponse(err: Error, c: Context): Response {
  let error: MaestroError;
  if (isMaestroError(err)) error = err;
  else if (err instanceof HTTPException) {
    error = new MaestroError(err.status === 413 ? "payload_too_large" : "bad_request", err.message || "bad request");
  } else if (err instanceof SyntaxError) error = new MaestroError("bad_request", "request body is not valid JSON", { field: "/" });
  else {
    console.error(JSON.stringify({ level: "error", msg: "unhandled error", path: c.req.path, err: String(err) }));
    error = new MaestroError("internal", "internal error");
  }
  const headers: Record<string, string> = {};
  if (error.status === 503) headers["Retry-After"] = String(error.details?.retryAfter ?? 1);
  return c.json(error.toJSON(), error.status as 400, headers);
}

export function notFoundResponse(c: Context): Response {
  return c.json(new MaestroError("not_found", `no route ${c.req.method} ${c.req.path}`).toJSON(), 404);
}
