// OIDC sign-in where the server offers it (a meta element in the shell): authorization code with PKCE (RFC 7636, S256)
// in the browser, a public client with no secret; the ID token it gets back is kept in sessionStorage like a pasted one.
import { token } from "./api.ts";
import { h } from "./dom.ts";

export interface OidcSignIn {
  issuer: string;
  clientId: string;
  authorizationEndpoint: string;
  tokenEndpoint: string;
  scope: string;
}

const PENDING_KEY = "maestro.oidc.pending";

export function offeredOidc(): OidcSignIn | null {
  const content = document.querySelector('meta[name="maestro-oidc"]')?.getAttribute("content");
  return content ? (JSON.parse(content) as OidcSignIn) : null;
}

const base64url = (bytes: Uint8Array) =>
  btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");
const random = () => base64url(crypto.getRandomValues(new Uint8Array(32)));
/** The page's own address, where the issuer sends the auditor back (registered with the issuer as a redirect URI). */
const redirectUri = () => `${location.origin}/console`;

/** Leaves for the issuer's authorization endpoint; the verifier and state wait in this tab's sessionStorage. */
export async function startOidc(oidc: OidcSignIn): Promise<void> {
  const verifier = random();
  const state = random();
  const challenge = base64url(new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier))));
  sessionStorage.setItem(PENDING_KEY, JSON.stringify({ verifier, state }));
  const url = new URL(oidc.authorizationEndpoint);
  url.search = new URLSearchParams({
    response_type: "code",
    client_id: oidc.clientId,
    redirect_uri: redirectUri(),
    scope: oidc.scope,
    state,
    code_challenge: challenge,
    code_challenge_method: "S256",
  }).toString();
  location.assign(url.href);
}

/**
 * On the way back from the issuer (`?code=…&state=…`): checks the state, redeems the code with the verifier and keeps
 * the ID token. Returns null when there was nothing to finish, else an error message (or "" when signed in).
 */
export async function finishOidc(oidc: OidcSignIn | null): Promise<string | null> {
  const params = new URLSearchParams(location.search);
  if (!params.has("code") && !params.has("error")) return null;
  const pending = JSON.parse(sessionStorage.getItem(PENDING_KEY) ?? "null") as { verifier: string; state: string } | null;
  sessionStorage.removeItem(PENDING_KEY);
  // The code and state leave the address bar (and history) whatever happens next.
  history.replaceState(null, "", "/console#/signin");
  if (!oidc) return "this server does not offer OIDC sign-in";
  if (params.has("error")) return `the issuer refused: ${params.get("error_description") ?? params.get("error")}`;
  if (!pending || params.get("state") !== pending.state) return "the sign-in answer does not match a sign-in this tab started";
  if (params.has("iss") && params.get("iss") !== oidc.issuer) return "the sign-in answer came from another issuer";
  const response = await fetch(oidc.tokenEndpoint, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      grant_type: "authorization_code",
      code: params.get("code") ?? "",
      redirect_uri: redirectUri(),
      client_id: oidc.clientId,
      code_verifier: pending.verifier,
    }),
  }).catch(() => null);
  if (!response?.ok) return `the issuer did not redeem the code (${response ? response.status : "unreachable"})`;
  const body = (await response.json().catch(() => ({}))) as { id_token?: unknown };
  if (typeof body.id_token !== "string") return "the issuer's answer holds no ID token";
  // The server verifies the token on every request (issuer, audience, signature, expiry); nothing here trusts it.
  token.set(body.id_token);
  return "";
}

let notice = "";

/** The sign-in page's part for OIDC: a button where the server offers an issuer, and why the last attempt failed. */
export function oidcSignInPart(): HTMLElement[] {
  const oidc = offeredOidc();
  const said = notice;
  notice = "";
  return [
    ...(oidc
      ? [
          h(
            "p",
            {},
            h(
              "button",
              { type: "button", id: "oidc-sign-in", onclick: () => void startOidc(oidc) },
              `Sign in with ${new URL(oidc.issuer).host}`,
            ),
            ` (OpenID Connect: ${oidc.issuer})`,
          ),
        ]
      : []),
    ...(said ? [h("p", { class: "error", role: "alert", id: "oidc-error" }, `Not signed in: ${said}`)] : []),
  ];
}

/** Runs before the first page: finishes a sign-in the issuer sent back, then lands on the releases or on sign-in. */
export async function finishOidcSignIn(): Promise<void> {
  const result = await finishOidc(offeredOidc());
  if (result === "") history.replaceState(null, "", "/console#/releases");
  else if (result) notice = result;
}
