// Turns any thrown error into the contract's JSON error body: an unreachable store is a 503 with Retry-After, and
// unknown errors become a 500 that leaks nothing.
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import { MaestroError, isMaestroError } from "../../common/errors.ts";
import { isStoreUnreachable } from "../../ledger/store/unreachable.ts";

export function errorResponse(err: Error, c: Context): Response {
  let error: MaestroError;
  if (isMaestroError(err)) error = err;
  else if (err instanceof HTTPException) {
    error = new MaestroError(err.status === 413 ? "payload_too_large" : "bad_request", err.message || "bad request");
  } else if (err instanceof SyntaxError) error = new MaestroError("bad_request", "request body is not valid JSON", { field: "/" });
  else if (isStoreUnreachable(err)) error = storeUnavailable(err);
  else {
    console.error(JSON.stringify({ level: "error", msg: "unhandled error", path: c.req.path, err: String(err) }));
    error = new MaestroError("internal", "internal error");
  }
  const headers: Record<string, string> = {};
  if (error.status === 503) headers["Retry-After"] = String(error.details?.retryAfter ?? 1);
  return c.json(error.toJSON(), error.status as 400, headers);
}

/** The store is down or restarting: any route that needed it says so and when to retry, never 500. */
export function storeUnavailable(cause: unknown): MaestroError {
  return new MaestroError("store_unavailable", "the store is unreachable; retry shortly", { cause, details: { retryAfter: 1 } });
}
