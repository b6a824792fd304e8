// The auditor's console (issue #20): one HTML shell at /console and its built assets. The shell holds no data and no
// token; the page's script reads the Evidence API with the token the auditor pasted or got from the configured OIDC
// issuer, kept in sessionStorage only.
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { oidcConfigFromEnv } from "../../auth/oidc-verifier.ts";
import type { Route } from "../route.ts";
import { attribute, type ConsoleOidc, consoleOidc } from "./console-oidc.ts";

/** Built by console/build.mjs at install time (npm's `prepare`), by `npm run build:console`, or on first request. */
export const CONSOLE_DIST = fileURLToPath(new URL("../../../console/dist", import.meta.url));

const ASSETS = {
  "console.js": "text/javascript; charset=utf-8",
  "verify-worker.js": "text/javascript; charset=utf-8",
  "console.css": "text/css; charset=utf-8",
} as const;

// No inline script or style, nothing from another origin, no framing: the page can only talk to this server, and to the
// configured OIDC issuer's token endpoint when it signs in there (the authorization endpoint is a navigation, not a fetch).
function securityHeaders(oidc: ConsoleOidc | null): Record<string, string> {
  const issuer = oidc ? ` ${new URL(oidc.tokenEndpoint).origin}` : "";
  return {
    "Content-Security-Policy":
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; " +
      `connect-src 'self'${issuer}; base-uri 'none'; form-action 'self'; frame-ancestors 'none'`,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
  };
}

/** The shell; where OIDC sign-in is configured, a meta element tells the page the issuer's endpoints (no inline script). */
const shell = (oidc: ConsoleOidc | null) => `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Maestro console</title>
${oidc ? `<meta name="maestro-oidc" content="${attribute(JSON.stringify(oidc))}">\n` : ""}<link rel="icon" href="data:,">
<link rel="stylesheet" href="/console/assets/console.css">
<script type="module" src="/console/assets/console.js"></script>
</head>
<body>
<header class="bar"><a class="brand" href="#/releases">Maestro</a><nav id="nav" aria-label="Console"></nav></header>
<main id="main" tabindex="-1"><p>Loading…</p></main>
</body>
</html>
`;

let building: Promise<unknown> | null = null;

/** Reads a built asset; a checkout installed without npm's scripts builds them once, on the first request. */
async function readAsset(dist: string, name: string): Promise<string> {
  try {
    return await readFile(`${dist}/${name}`, "utf8");
  } catch {
    building ??= import("../../../console/build.mjs").then((m) => m.buildConsole());
    await building;
    return readFile(`${dist}/${name}`, "utf8");
  }
}

const asset = (name: keyof typeof ASSETS, does: string): Route => ({
  method: "GET",
  path: `/console/assets/${name}`,
  roles: "public",
  does,
  response: { content: { [ASSETS[name].split(";")[0] ?? "text/plain"]: { type: "string" } } },
  handler: () => async (c) =>
    c.body(await readAsset(CONSOLE_DIST, name), 200, {
      ...securityHeaders(null),
      "Content-Type": ASSETS[name],
      "Cache-Control": "no-cache",
    }),
});

export const consoleRoutes: readonly Route[] = [
  {
    method: "GET",
    path: "/console",
    roles: "public",
    does: "the auditor's console page (no data: it reads the API with the auditor's token)",
    // Where the configured OIDC issuer sends the auditor back (RFC 6749 §4.1.2, RFC 9207 `iss`); the page reads them.
    query: ["code", "state", "iss", "session_state", "error", "error_description"],
    response: { content: { "text/html": { type: "string" } } },
    handler: () => {
      // Read once, as compose reads it for the token verifiers; MAESTRO_OIDC_CLIENT_ID names the console's public client.
      const oidc = consoleOidc(oidcConfigFromEnv(process.env), process.env.MAESTRO_OIDC_CLIENT_ID);
      return async (c) => {
        const signIn = await oidc();
        return c.html(shell(signIn), 200, { ...securityHeaders(signIn), "Cache-Control": "no-cache" });
      };
    },
  },
  asset("console.js", "the console's script"),
  asset("verify-worker.js", "the console's in-browser verifier: the CLI's offline evidence verifier on WebCrypto, run in a worker"),
  asset("console.css", "the console's style sheet"),
];
