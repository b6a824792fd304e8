// Whether an error means the store cannot be reached (down, restarting, refusing connections), not a bad query.
//
// Routes meet these as raw driver errors from any read; the HTTP layer turns them into 503 store_unavailable with
// Retry-After (issue 14: with PostgreSQL stopped, every evidence read answered 500 internal).

/** Socket-level failures of node-pg, and the AggregateError Node raises when every address of a host refused. */
const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ENOENT",
]);

/**
 * SQLSTATE class 08 (connection exception), 57P01–57P03 (admin shutdown, crash shutdown, cannot connect now: the
 * server is stopping or starting), 53300 (too many connections).
 */
function isUnreachableSqlState(code: string): boolean {
  return /^08[0-9A-Z]{3}$/.test(code) || code === "57P01" || code === "57P02" || code === "57P03" || code === "53300";
}

/** node-pg's own messages for a connection that ended or never came up (they carry no code). */
const MESSAGES = [
  /Connection terminated/i,
  /timeout exceeded when trying to connect/i,
  /Client has encountered a connection error/i,
  /Connection ended unexpectedly/i,
];

export function isStoreUnreachable(err: unknown, depth = 0): boolean {
  if (typeof err !== "object" || err === null || depth > 4) return false;
  const { code, message, errors, cause } = err as { code?: unknown; message?: unknown; errors?: unknown; cause?: unknown };
  if (typeof code === "string" && (NETWORK_CODES.has(code) || isUnreachableSqlState(code))) return true;
  if (typeof message === "string" && MESSAGES.some((m) => m.test(message))) return true;
  if (Array.isArray(errors) && errors.some((e) => isStoreUnreachable(e, depth + 1))) return true;
  return isStoreUnreachable(cause, depth + 1);
}
