// The one way a test says a request is malformed on purpose (a missing field, a NUL in a string, a path the API does
// not serve), by a header or, for a client the test cannot give one, a window around the call: check-every-exchange.ts
// then skips the request's check when the server refused it, and still holds the refusal to the document's error body.
// A marked request the server accepts must be one the document allows; unmarked, every request must be, whatever the
// server answered.

/** The request header that carries the mark (and why); the server ignores it, the exchange check reads it. */
export const INVALID_ON_PURPOSE_HEADER = "x-test-invalid-on-purpose";

/** `init` with the mark added: `app.request(path, invalidOnPurpose("no session", { method: "POST", ... }))`. */
export function invalidOnPurpose(why: string, init: RequestInit = {}): RequestInit {
  if (!why.trim()) throw new Error("invalidOnPurpose needs the reason the request is malformed");
  const headers = new Headers(init.headers);
  headers.set(INVALID_ON_PURPOSE_HEADER, encodeURIComponent(why)); // a header value is Latin-1; the reason may not be
  return { ...init, headers };
}

// On globalThis: the setup file's observer and the test file must see one value, whichever module copy each loaded.
const WINDOW = Symbol.for("maestro.test.invalid-on-purpose-window");
const state = globalThis as unknown as Record<symbol, string | undefined>;

/**
 * Runs `send` with every request the app answers meanwhile marked, for clients a test cannot add a header to (an agent's
 * mediator client, a CLI child process talking to this process's server): `whileInvalidOnPurpose("a 2,100-character
 * resource", () => client.mediate(call))`. Keep the window to the one malformed request.
 */
export async function whileInvalidOnPurpose<T>(why: string, send: () => Promise<T>): Promise<T> {
  if (!why.trim()) throw new Error("whileInvalidOnPurpose needs the reason the requests are malformed");
  if (state[WINDOW] !== undefined) throw new Error("whileInvalidOnPurpose windows do not nest");
  state[WINDOW] = why;
  try {
    return await send();
  } finally {
    state[WINDOW] = undefined;
  }
}

/** The reason a request carries, or the open window's (whileInvalidOnPurpose); undefined when it is not marked. */
export function invalidOnPurposeReason(headers: Headers): string | undefined {
  const raw = headers.get(INVALID_ON_PURPOSE_HEADER);
  return raw === null ? state[WINDOW] : decodeURIComponent(raw);
}
