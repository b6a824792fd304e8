// The one way a test says a request is malformed on purpose (a missing field, a NUL in a string, a path the API does
// not serve): check-every-exchange.ts then skips the request's check when the server refused it, and still holds the
// refusal to the document's error body. A marked request the server accepts must be one the document allows; unmarked,
// every request must be, whatever the server answered.

/** The request header that carries the mark (and why); the server ignores it, the exchange check reads it. */
export const INVALID_ON_PURPOSE_HEADER = "x-test-invalid-on-purpose";

/** `init` with the mark added: `app.request(path, invalidOnPurpose("no session", { method: "POST", ... }))`. */
export function invalidOnPurpose(why: string, init: RequestInit = {}): RequestInit {
  if (!why.trim()) throw new Error("invalidOnPurpose needs the reason the request is malformed");
  const headers = new Headers(init.headers);
  headers.set(INVALID_ON_PURPOSE_HEADER, encodeURIComponent(why)); // a header value is Latin-1; the reason may not be
  return { ...init, headers };
}

/** The reason a request carries, or undefined when it is not marked. */
export function invalidOnPurposeReason(headers: Headers): string | undefined {
  const raw = headers.get(INVALID_ON_PURPOSE_HEADER);
  return raw === null ? undefined : decodeURIComponent(raw);
}
