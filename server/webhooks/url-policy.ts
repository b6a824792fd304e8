// Which webhook URLs are accepted (pure). The address check at connect time lives in sender.ts.
import { MaestroError } from "../../common/errors.ts";

/**
 * The operator's allowance (MAESTRO_WEBHOOK_ALLOW_HOSTS, comma-separated `host` or `host:port`): those hosts may be
 * reached over plain http and at private or loopback addresses. Every other URL must be https, and is delivered
 * only to a public unicast address (checked on the address actually connected to, so DNS cannot rebind it).
 */
export interface UrlAllowance {
  hosts: readonly string[];
}

export function parseAllowHosts(value: string | undefined): UrlAllowance {
  const hosts = (value ?? "")
    .split(",")
    .map((h) => h.trim().toLowerCase())
    .filter(Boolean);
  return { hosts };
}

/** Whether the operator allowed this URL's host (with or without its port). */
export function hostAllowed(url: URL, allowance: UrlAllowance): boolean {
  const host = url.hostname.toLowerCase();
  const withPort = url.port ? `${host}:${url.port}` : host;
  return allowance.hosts.includes(host) || allowance.hosts.includes(withPort);
}

const MAX_URL_LENGTH = 2048;

/** The URL a subscription may deliver to, or a 400 naming `/url` that says why not. */
export function checkWebhookUrl(raw: string, allowance: UrlAllowance): URL {
  const refuse = (why: string) => new MaestroError("invalid_field", `url ${why}`, { field: "/url" });
  if (raw.length > MAX_URL_LENGTH) throw refuse(`is longer than ${MAX_URL_LENGTH} characters`);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw refuse("is not an absolute URL");
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") throw refuse(`must be https (got ${url.protocol.replace(/:$/, "")})`);
  if (url.username || url.password) throw refuse("must not carry a user name or password; use the signing secret");
  if (url.hash) throw refuse("must not have a #fragment");
  const allowed = hostAllowed(url, allowance);
  if (url.protocol === "http:" && !allowed) {
    throw refuse(`must be https; plain http only to hosts the operator lists in MAESTRO_WEBHOOK_ALLOW_HOSTS (${url.host} is not)`);
  }
  return url;
}
