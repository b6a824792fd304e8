// The console's OIDC discovery fails closed: any doubt about the issuer's metadata leaves the token paste only.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { attribute, consoleOidc } from "./console-oidc.ts";

describe("consoleOidc", () => {
  let server: Server;
  let issuer: string;
  let metadata: (issuer: string) => Record<string, unknown> | null;

  beforeAll(async () => {
    server = createServer((_req, res) => {
      const body = metadata(issuer);
      res.writeHead(body ? 200 : 500, { "content-type": "application/json" });
      res.end(JSON.stringify(body ?? {}));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => server.close());

  const config = () => ({ issuer, audience: "maestro", jwksUrl: `${issuer}/jwks`, roleClaim: "role" });
  const good = (iss: string) => ({
    issuer: iss,
    authorization_endpoint: `${iss}/authorize`,
    token_endpoint: `${iss}/token`,
    code_challenge_methods_supported: ["S256"],
  });

  it("offers nothing without an issuer", async () => {
    await expect(consoleOidc(null, undefined)()).resolves.toBeNull();
  });

  it("reads the endpoints once, and the client id (default: the audience)", async () => {
    metadata = good;
    const offered = consoleOidc(config(), undefined);
    await expect(offered()).resolves.toEqual({
      issuer,
      clientId: "maestro",
      authorizationEndpoint: `${issuer}/authorize`,
      tokenEndpoint: `${issuer}/token`,
      scope: "openid",
    });
    metadata = () => null;
    await expect(offered()).resolves.toMatchObject({ issuer }); // kept, not read again
    metadata = good;
    await expect(consoleOidc(config(), "console-app")()).resolves.toMatchObject({ clientId: "console-app" });
  });

  it("offers nothing when the metadata is in doubt", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const cases: Array<(iss: string) => Record<string, unknown> | null> = [
      () => null,
      (iss) => ({ ...good(iss), issuer: `${iss}/other` }),
      (iss) => ({ ...good(iss), token_endpoint: undefined }),
      (iss) => ({ ...good(iss), authorization_endpoint: "http://idp.example/authorize" }),
      (iss) => ({ ...good(iss), token_endpoint: "javascript:alert(1)" }),
      (iss) => ({ ...good(iss), code_challenge_methods_supported: ["plain"] }),
    ];
    for (const [i, make] of cases.entries()) {
      metadata = make;
      await expect(consoleOidc(config(), undefined)(), `case ${i}`).resolves.toBeNull();
    }
    expect(warn).toHaveBeenCalledTimes(cases.length);
    warn.mockRestore();
  });

  it("escapes the shell's attribute text", () => {
    expect(attribute(`"><script>&`)).toBe("&quot;&gt;&lt;script&gt;&amp;");
  });
});
