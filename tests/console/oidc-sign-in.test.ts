// OIDC sign-in to the console in a real Chromium: a server configured with an issuer (a small local OpenID provider
// written here: discovery, JWKS, an authorization endpoint that approves at once, a token endpoint that checks PKCE)
// offers it; authorization code + PKCE S256 in the page; the ID token kept in sessionStorage only; the CSP lets the
// page reach that issuer's token endpoint and nothing else; an answer this tab did not ask for is refused.
import { createHash, randomUUID } from "node:crypto";
import { execFileSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { ServerType } from "@hono/node-server";
import { decodeJwt, exportJWK, generateKeyPair, SignJWT } from "jose";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { startTestServer, type TestServer } from "../support/test-server.ts";
import { axeViolations, haveBrowser, launchChromium, openConsolePage, serveOverHttp, SHOTS } from "./support.ts";

vi.setConfig({ testTimeout: 60_000 });
if (!haveBrowser) console.warn("console OIDC tests skipped: /usr/bin/chromium is missing (apt-get install chromium)");

const CLIENT_ID = "maestro-console";

/** A minimal OpenID provider on a local port: enough of OIDC Core and RFC 7636 for one public client. */
async function startProvider(): Promise<{
  issuer: string;
  server: Server;
  seen: { authorize: URLSearchParams[]; token: URLSearchParams[] };
}> {
  const { publicKey, privateKey } = await generateKeyPair("ES256");
  const jwk = { ...(await exportJWK(publicKey)), kid: "idp-1", alg: "ES256", use: "sig" };
  const codes = new Map<string, { challenge: string; redirectUri: string }>();
  const seen = { authorize: [] as URLSearchParams[], token: [] as URLSearchParams[] };
  let issuer = "";
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", issuer);
    const json = (status: number, body: unknown) => {
      // The page redeems the code from its own origin: the token endpoint answers cross-origin reads.
      res.writeHead(status, { "content-type": "application/json", "access-control-allow-origin": "*" });
      res.end(JSON.stringify(body));
    };
    if (url.pathname === "/.well-known/openid-configuration")
      return json(200, {
        issuer,
        authorization_endpoint: `${issuer}/authorize`,
        token_endpoint: `${issuer}/token`,
        jwks_uri: `${issuer}/jwks`,
        response_types_supported: ["code"],
        code_challenge_methods_supported: ["S256"],
      });
    if (url.pathname === "/jwks") return json(200, { keys: [jwk] });
    if (url.pathname === "/authorize") {
      seen.authorize.push(url.searchParams);
      const code = randomUUID();
      const redirectUri = url.searchParams.get("redirect_uri") ?? "";
      codes.set(code, { challenge: url.searchParams.get("code_challenge") ?? "", redirectUri });
      const back = new URL(redirectUri);
      back.search = new URLSearchParams({ code, state: url.searchParams.get("state") ?? "", iss: issuer }).toString();
      res.writeHead(302, { location: back.href });
      return res.end();
    }
    if (url.pathname === "/token" && req.method === "POST") {
      let text = "";
      req.on("data", (chunk) => (text += chunk));
      req.on("end", () => {
        const form = new URLSearchParams(text);
        seen.token.push(form);
        const grant = codes.get(form.get("code") ?? "");
        codes.delete(form.get("code") ?? "");
        const verified = createHash("sha256")
          .update(form.get("code_verifier") ?? "")
          .digest("base64url");
        if (!grant || grant.challenge !== verified || grant.redirectUri !== form.get("redirect_uri") || form.get("client_id") !== CLIENT_ID)
          return json(400, { error: "invalid_grant" });
        void new SignJWT({ role: "auditor" })
          .setProtectedHeader({ alg: "ES256", kid: "idp-1" })
          .setIssuer(issuer)
          .setAudience(CLIENT_ID)
          .setSubject("ana.auditor")
          .setIssuedAt()
          .setExpirationTime("10m")
          .sign(privateKey)
          .then((idToken) => json(200, { id_token: idToken, access_token: randomUUID(), token_type: "Bearer", expires_in: 600 }));
      });
      return;
    }
    json(404, { error: "not_found" });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { issuer, server, seen };
}

describe.skipIf(!haveBrowser)("OIDC sign-in to the console in Chromium", () => {
  let provider: Awaited<ReturnType<typeof startProvider>>;
  let server: TestServer;
  let http: ServerType;
  let base: string;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    execFileSync(process.execPath, ["console/build.mjs"], { cwd: new URL("../..", import.meta.url).pathname, stdio: "pipe" });
    provider = await startProvider();
    const env = {
      MAESTRO_OIDC_ISSUER: provider.issuer,
      MAESTRO_OIDC_AUDIENCE: CLIENT_ID,
      MAESTRO_OIDC_JWKS_URL: `${provider.issuer}/jwks`,
    };
    Object.assign(process.env, env);
    try {
      server = await startTestServer("embedded");
    } finally {
      for (const name of Object.keys(env)) delete process.env[name];
    }
    ({ base, http } = await serveOverHttp(server));
    browser = await launchChromium();
    // The page reaches this server, and the configured issuer for sign-in; nothing else.
    page = await openConsolePage(browser, [base, provider.issuer]);
    mkdirSync(SHOTS, { recursive: true });
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    http?.close();
    await server?.close();
    provider?.server.close();
  });

  it("offers the configured issuer beside the token paste, with a CSP that allows only its token endpoint", async () => {
    const response = await page.goto(`${base}/console`);
    const csp = response?.headers()["content-security-policy"] ?? "";
    expect(csp).toContain(`connect-src 'self' ${provider.issuer};`);
    expect(csp).not.toContain("unsafe-inline");
    await page.waitForURL(/#\/signin$/);
    const button = page.locator("#oidc-sign-in");
    await expect(button.textContent()).resolves.toBe(`Sign in with ${new URL(provider.issuer).host}`);
    await expect(page.locator("#token").isVisible()).resolves.toBe(true);
    expect(await axeViolations(page)).toEqual([]);
    await page.screenshot({ path: `${SHOTS}signin-oidc.png` });
  });

  it("signs in with authorization code + PKCE S256 and keeps the ID token in sessionStorage only", async () => {
    await page.click("#oidc-sign-in");
    await page.waitForURL(/\/console#\/releases$/);
    await page.getByRole("heading", { name: "Releases" }).waitFor();
    const [asked] = provider.seen.authorize;
    expect(asked?.get("code_challenge_method")).toBe("S256");
    expect(asked?.get("client_id")).toBe(CLIENT_ID);
    expect(asked?.get("redirect_uri")).toBe(`${base}/console`);
    expect(provider.seen.token).toHaveLength(1);
    const kept = await page.evaluate(() => sessionStorage.getItem("maestro.token"));
    expect(decodeJwt(kept ?? "")).toMatchObject({ iss: provider.issuer, aud: CLIENT_ID, sub: "ana.auditor" });
    expect(await page.evaluate(() => localStorage.length)).toBe(0);
    // The code left the address bar; the verifier left sessionStorage.
    expect(page.url()).not.toContain("code=");
    expect(await page.evaluate(() => sessionStorage.getItem("maestro.oidc.pending"))).toBeNull();
  });

  it("refuses an answer this tab did not ask for, and keeps no token", async () => {
    await page.click("text=Sign out");
    await page.waitForURL(/#\/signin$/);
    await page.goto(`${base}/console?code=${randomUUID()}&state=forged`);
    await expect(page.locator("#oidc-error").textContent()).resolves.toMatch(/does not match a sign-in this tab started/);
    expect(await page.evaluate(() => sessionStorage.getItem("maestro.token"))).toBeNull();
    expect(provider.seen.token).toHaveLength(1);
  });
});
