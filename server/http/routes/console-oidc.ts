// The console's OIDC sign-in, where the server is configured with an issuer: its endpoints, discovered once from the
// issuer's metadata, for the page's authorization code + PKCE flow, and the one origin the page may then reach.
import type { OidcConfig } from "../../auth/oidc-verifier.ts";

export interface ConsoleOidc {
  issuer: string;
  clientId: string;
  authorizationEndpoint: string;
  tokenEndpoint: string;
  scope: string;
}

/** A failed discovery is tried again after this long; until then the page offers the token paste only. */
const RETRY_MS = 60_000;

/** HTTPS, or plain HTTP to this machine only (a local test issuer): a token must not cross a network in the clear. */
function safeEndpoint(value: unknown): string | null {
  if (typeof value !== "string") return null;
  try {
    const url = new URL(value);
    const loopback = url.hostname === "127.0.0.1" || url.hostname === "localhost" || url.hostname === "[::1]";
    return url.protocol === "https:" || (url.protocol === "http:" && loopback) ? url.href : null;
  } catch {
    return null;
  }
}

/**
 * Reads the issuer's OpenID Provider metadata (OpenID Connect Discovery 1.0 §4) when the page is first asked for, and
 * keeps it: the endpoints must be absolute, HTTPS, and the document must name the configured issuer exactly (§4.3);
 * a provider that lists its PKCE methods must list S256. Anything else leaves the console with the token paste only.
 */
export function consoleOidc(config: OidcConfig | null, clientId: string | undefined): () => Promise<ConsoleOidc | null> {
  if (!config) return async () => null;
  let known: { at: number; value: Promise<ConsoleOidc | null> } | undefined;
  const discover = async (): Promise<ConsoleOidc | null> => {
    try {
      const response = await fetch(`${config.issuer.replace(/\/$/, "")}/.well-known/openid-configuration`, {
        signal: AbortSignal.timeout(5_000),
      });
      if (!response.ok) throw new Error(`metadata answered ${response.status}`);
      const meta = (await response.json()) as Record<string, unknown>;
      const authorizationEndpoint = safeEndpoint(meta.authorization_endpoint);
      const tokenEndpoint = safeEndpoint(meta.token_endpoint);
      const methods = meta.code_challenge_methods_supported;
      if (meta.issuer !== config.issuer) throw new Error(`metadata names issuer ${String(meta.issuer)}`);
      if (!authorizationEndpoint || !tokenEndpoint) throw new Error("authorization or token endpoint missing, or not HTTPS");
      if (Array.isArray(methods) && !methods.includes("S256")) throw new Error("the issuer does not support PKCE S256");
      return { issuer: config.issuer, clientId: clientId || config.audience, authorizationEndpoint, tokenEndpoint, scope: "openid" };
    } catch (err) {
      console.warn(JSON.stringify({ level: "warn", msg: "console OIDC sign-in unavailable", issuer: config.issuer, error: String(err) }));
      return null;
    }
  };
  return async () => {
    const now = Date.now();
    if (!known || ((await known.value) === null && now - known.at > RETRY_MS)) known = { at: now, value: discover() };
    return known.value;
  };
}

/** Text for an HTML attribute value in double quotes. */
export function attribute(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}
