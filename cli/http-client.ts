// The CLI's HTTP client for the control and evidence APIs: base URL and bearer token from flags or environment.
import { ERROR_STATUS, type ErrorCode, MaestroError } from "../common/errors.ts";
import { reasonOf, UsageError } from "./command.ts";
import { itemAt } from "../common/present.ts";

export const DEFAULT_URL = "http://127.0.0.1:8787";

/** Flags every HTTP-speaking command takes. */
export const CLIENT_FLAGS = {
  url: { type: "string" },
  token: { type: "string" },
  json: { type: "boolean" },
} as const;

export interface ApiClient {
  get(path: string): Promise<any>;
  post(path: string, body: unknown): Promise<any>;
}

export function clientFrom(values: { url?: string; token?: string }, env: NodeJS.ProcessEnv = process.env): ApiClient {
  const base = (values.url ?? env.MAESTRO_URL ?? DEFAULT_URL).replace(/\/+$/, "");
  if (!/^https?:\/\/[^/\s]+$/.test(base)) throw new UsageError(`--url must be http(s)://host[:port], got "${base}"`);
  const token = values.token ?? env.MAESTRO_TOKEN;
  if (!token) throw new UsageError("missing --token (or MAESTRO_TOKEN); get one with: maestro token issue --role ROLE --sub NAME");
  const why = values.url ? "--url" : env.MAESTRO_URL ? "MAESTRO_URL" : "the default; set MAESTRO_URL or pass --url";
  // Said once the server answered, on stderr (stdout stays the result): a failure is one line that names the URL itself.
  let announced = false;
  const call = async (method: "GET" | "POST", path: string, body?: unknown) => {
    let response: Response;
    try {
      response = await fetch(`${base}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (err) {
      throw new MaestroError("ledger_unavailable", `cannot reach the maestro server at ${base} (${reasonOf(err)})`, { cause: err });
    }
    const text = await response.text();
    let parsed: any = null;
    let json = true;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      json = false;
    }
    if (!response.ok) throw serverError(response.status, parsed, text);
    if (!json) throw notJson(`${base}${path}`, response);
    if (!announced) {
      announced = true;
      process.stderr.write(`using ${base} (${why})\n`);
    }
    return parsed;
  };
  return { get: (path) => call("GET", path), post: (path, body) => call("POST", path, body) };
}

/** The server's {"error": {code, message, field}} as one readable line: "409 conflict: waiver … is revoked". */
function serverError(status: number, body: any, text: string): MaestroError {
  const error = body?.error;
  const code: ErrorCode = error?.code && Object.hasOwn(ERROR_STATUS, error.code) ? error.code : status >= 500 ? "internal" : "bad_request";
  // A proxy's HTML error page has newlines; the CLI's errors are one line.
  const message = typeof error?.message === "string" ? error.message : text.replace(/\s+/g, " ").trim().slice(0, 200) || `HTTP ${status}`;
  return new MaestroError(code, `${status} ${error?.code ?? "error"}: ${message}`, {
    field: typeof error?.field === "string" ? error.field : undefined,
  });
}

/** A --url for the ledger and evidence commands: http(s), any path prefix (a reverse proxy's), no trailing slash. */
export function baseUrl(value: string): string {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {}
  // Not echoed when it carries credentials: a password never reaches the terminal.
  if (url && (url.username || url.password)) throw new UsageError("--url must not carry a user or password (pass --token)");
  if (!url || (url.protocol !== "http:" && url.protocol !== "https:")) {
    throw new UsageError(`--url must be http(s)://host[:port][/prefix], got "${value}"`);
  }
  return value.replace(/\/+$/, "");
}

/** One request whose every failure is one line naming the URL: unreachable (and why), or an answer that is not JSON. */
export async function fetchJson(url: string, init: RequestInit = {}): Promise<{ status: number; ok: boolean; text: string; body: any }> {
  let response: Response;
  let text: string;
  try {
    response = await fetch(url, init);
    text = await response.text();
  } catch (err) {
    throw new MaestroError("ledger_unavailable", `cannot reach ${url}: ${reasonOf(err)}`, { cause: err });
  }
  if (!text) return { status: response.status, ok: response.ok, text, body: null };
  try {
    return { status: response.status, ok: response.ok, text, body: JSON.parse(text) };
  } catch {
    throw notJson(url, response);
  }
}

/** The server's error message from a JSON error body, if it sent one. */
export function errorMessage(body: any): string {
  return typeof body?.error?.message === "string" ? body.error.message.replace(/\s+/g, " ") : "";
}

function notJson(url: string, response: Response): MaestroError {
  const type = response.headers.get("content-type")?.split(";")[0]?.trim() || "no content type";
  return new MaestroError("ledger_unavailable", `${url} answered ${response.status} (${type}), not JSON`);
}

/** "90s", "15m", "8h", "7d" → seconds. */
export function parseDuration(text: string, flag: string): number {
  const match = /^(\d+)([smhd])$/.exec(text);
  if (!match) throw new UsageError(`--${flag} "${text}" must look like 90s, 15m, 8h or 7d`);
  return Number(match[1]) * { s: 1, m: 60, h: 3600, d: 86400 }[match[2] as "s" | "m" | "h" | "d"];
}

export function requirePositional(positionals: string[], name: string): string {
  if (positionals.length !== 1)
    throw new UsageError(positionals.length === 0 ? `missing ${name}` : `expected one ${name}, got ${positionals.length} arguments`);
  return itemAt(positionals, 0, "positionals");
}
