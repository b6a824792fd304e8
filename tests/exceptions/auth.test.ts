// Token problems give 401 with a reason code; a valid token with the wrong role gives 403 naming the role needed; OIDC SSO via a loopback JWKS.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair, SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TOKEN_AUDIENCE, TOKEN_ISSUER } from "../../server/auth/tokens.ts";
import { issueToken } from "../../server/index.ts";
import { type Fixture, openFixture, waiverRequest } from "./support.ts";
import { itemAt } from "../../common/present.ts";

const OIDC_ISSUER = "https://sso.example.test/realms/eng";
const OIDC_AUDIENCE = "maestro";

describe("bearer tokens and OIDC SSO", () => {
  let f: Fixture;
  let jwksServer: Server;
  let oidcKey: Awaited<ReturnType<typeof generateKeyPair>>["privateKey"];
  const saved = { ...process.env };

  beforeAll(async () => {
    const pair = await generateKeyPair("ES256", { extractable: true });
    oidcKey = pair.privateKey;
    const jwk = { ...(await exportJWK(pair.publicKey)), kid: "sso-1", alg: "ES256", use: "sig" };
    jwksServer = createServer((req, res) => {
      res.writeHead(req.url === "/jwks" ? 200 : 404, { "content-type": "application/json" });
      res.end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((resolve) => jwksServer.listen(0, "127.0.0.1", resolve));
    Object.assign(process.env, {
      MAESTRO_OIDC_ISSUER: OIDC_ISSUER,
      MAESTRO_OIDC_AUDIENCE: OIDC_AUDIENCE,
      MAESTRO_OIDC_JWKS_URL: `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/jwks`,
      MAESTRO_OIDC_ROLE_CLAIM: "groups",
      MAESTRO_OIDC_ROLE_MAP: "maestro-security=security,maestro-eng=engineer,maestro-audit=auditor",
    });
    f = await openFixture("embedded");
  });
  afterAll(async () => {
    process.env = saved;
    await f?.close();
    await new Promise((resolve) => jwksServer?.close(resolve));
  });

  const get = async (token: string) => {
    const r = await f.app.request("/v1/waivers", { headers: { authorization: `Bearer ${token}` } });
    return { status: r.status, body: (await r.json()) as any };
  };
  const sso = (
    claims: Record<string, unknown>,
    opts: { key?: typeof oidcKey; kid?: string; aud?: string; exp?: number; sub?: string } = {},
  ) => {
    const now = Math.floor(f.clock.now().getTime() / 1000);
    return new SignJWT(claims)
      .setProtectedHeader({ alg: "ES256", kid: opts.kid ?? "sso-1" })
      .setIssuer(OIDC_ISSUER)
      .setAudience(opts.aud ?? OIDC_AUDIENCE)
      .setSubject(opts.sub ?? "alice@example.test")
      .setIssuedAt(now)
      .setExpirationTime(opts.exp ?? now + 600)
      .sign(opts.key ?? oidcKey);
  };

  it("expired token → 401 token_expired", async () => {
    const token = await f.token("auditor", "aud-1", 60);
    expect((await get(token)).status).toBe(200);
    f.clock.advance(120_000);
    const res = await get(token);
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe("token_expired");
  });

  it("token signed by another key → 401 token_bad_signature", async () => {
    const { privateKey } = await generateKeyPair("EdDSA");
    const forged = await issueToken(
      { kid: f.ctx.ledger.keyring.token.kid, privateKey: privateKey as any },
      "admin",
      "mallory",
      600,
      f.clock,
    );
    const res = await get(forged);
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe("token_bad_signature");
  });

  it("token from an issuer nobody trusts → 401 token_unknown_issuer; wrong audience too", async () => {
    const key = f.ctx.ledger.keyring.token;
    const now = Math.floor(f.clock.now().getTime() / 1000);
    const sign = (iss: string, aud: string) =>
      new SignJWT({ role: "admin" })
        .setProtectedHeader({ alg: "EdDSA", kid: key.kid })
        .setIssuer(iss)
        .setAudience(aud)
        .setSubject("x")
        .setIssuedAt(now)
        .setExpirationTime(now + 600)
        .sign(key.privateKey);
    const foreign = await get(await sign("https://evil.example", TOKEN_AUDIENCE));
    expect(foreign.status).toBe(401);
    expect(foreign.body.error.code).toBe("token_unknown_issuer");
    const otherAudience = await get(await sign(TOKEN_ISSUER, "someone-else"));
    expect(otherAudience.body.error.code).toBe("token_unknown_issuer");
    const garbage = await get("not.a.jwt");
    expect(garbage.status).toBe(401);
    expect(garbage.body.error.code).toBe("unauthenticated");
  });

  it("a token without exp never expires, so it is refused (401), ours and an SSO one alike", async () => {
    const key = f.ctx.ledger.keyring.token;
    const now = Math.floor(f.clock.now().getTime() / 1000);
    const forever = await new SignJWT({ role: "auditor" })
      .setProtectedHeader({ alg: "EdDSA", kid: key.kid })
      .setIssuer(TOKEN_ISSUER)
      .setAudience(TOKEN_AUDIENCE)
      .setSubject("aud-forever")
      .setIssuedAt(now)
      .sign(key.privateKey);
    const ours = await get(forever);
    expect(ours.status).toBe(401);
    const ssoForever = await new SignJWT({ groups: ["maestro-audit"] })
      .setProtectedHeader({ alg: "ES256", kid: "sso-1" })
      .setIssuer(OIDC_ISSUER)
      .setAudience(OIDC_AUDIENCE)
      .setSubject("alice@example.test")
      .setIssuedAt(now)
      .sign(oidcKey);
    expect((await get(ssoForever)).status).toBe(401);
  });

  it("valid token, wrong role → 403 naming the role needed", async () => {
    const res = await f.call("POST", `/v1/waivers/${crypto.randomUUID()}/approve`, "engineer", {});
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe("forbidden");
    expect(res.body.error.message).toContain("needs role security");
    expect(res.body.error.message).toContain("has role engineer");
  });

  it("SSO tokens are verified against the issuer's JWKS and mapped to a role", async () => {
    const eng = await sso({ groups: ["staff", "maestro-eng"] });
    const created = await f.app.request("/v1/waivers", {
      method: "POST",
      headers: { authorization: `Bearer ${eng}`, "content-type": "application/json" },
      body: JSON.stringify(waiverRequest()),
    });
    expect(created.status).toBe(201);
    const waiver = (await created.json()) as any;
    expect(waiver.requestedBy).toBe("alice@example.test");
    const entry = itemAt(await f.ctx.ledger.reader.entriesFor("waiver.requested", `waiver:${waiver.id}`), 0, "waiver.requested entries");
    expect(entry.event.actor).toEqual({ type: "user", id: "alice@example.test", role: "engineer" });
    // The same person cannot approve it even holding a security-mapped SSO token.
    const selfApprove = await f.app.request(`/v1/waivers/${waiver.id}/approve`, {
      method: "POST",
      headers: { authorization: `Bearer ${await sso({ groups: ["maestro-security"] })}` },
    });
    expect(selfApprove.status).toBe(403);
    expect(((await selfApprove.json()) as any).error.code).toBe("self_approval");
    // Local tokens keep working beside SSO.
    expect((await get(await f.token("auditor"))).status).toBe(200);
  });

  it("SSO token problems keep their reason codes", async () => {
    const now = Math.floor(f.clock.now().getTime() / 1000);
    const cases: Array<[string, Promise<string>, string]> = [
      ["no mapped group", sso({ groups: ["staff"] }), "unauthenticated"],
      ["two mapped roles", sso({ groups: ["maestro-eng", "maestro-audit"] }), "unauthenticated"],
      ["expired", sso({ groups: ["maestro-audit"] }, { exp: now - 10 }), "token_expired"],
      ["wrong audience", sso({ groups: ["maestro-audit"] }, { aud: "other-app" }), "token_unknown_issuer"],
      [
        "signed by a key the JWKS lacks",
        generateKeyPair("ES256").then((p) => sso({ groups: ["maestro-audit"] }, { key: p.privateKey })),
        "token_bad_signature",
      ],
      ["unknown kid", sso({ groups: ["maestro-audit"] }, { kid: "sso-2" }), "token_bad_signature"],
    ];
    for (const [name, token, code] of cases) {
      const res = await get(await token);
      expect(res.status, name).toBe(401);
      expect(res.body.error.code, name).toBe(code);
    }
    expect((await get(await sso({ groups: ["maestro-audit"] }))).status).toBe(200);
  });

  it("SSO subjects are people: a fullwidth spelling cannot approve the requester's waiver; mixed scripts and invisible characters are refused at sign-in", async () => {
    const eng = await sso({ groups: ["maestro-eng"] }, { sub: "erin@example.com" });
    const created = await f.app.request("/v1/waivers", {
      method: "POST",
      headers: { authorization: `Bearer ${eng}`, "content-type": "application/json" },
      body: JSON.stringify(waiverRequest({ resource: "src/erin/**" })),
    });
    const waiver = (await created.json()) as any;
    const approve = async (sub: string) => {
      const r = await f.app.request(`/v1/waivers/${waiver.id}/approve`, {
        method: "POST",
        headers: { authorization: `Bearer ${await sso({ groups: ["maestro-security"] }, { sub })}` },
      });
      return { status: r.status, body: (await r.json()) as any };
    };
    const fullwidth = await approve("ｅｒｉｎ@example.com");
    expect(fullwidth.status).toBe(403);
    expect(fullwidth.body.error.code).toBe("self_approval");
    for (const sub of ["ѕam@example.com", "sam\u200B@example.com", "erin\u2060@example.com"]) {
      const refused = await approve(sub);
      expect(refused.status, sub).toBe(401);
      expect(refused.body.error.code, sub).toBe("unauthenticated");
      expect(refused.body.error.message, sub).toMatch(/subject refused/);
    }
    expect((await f.call("GET", `/v1/waivers/${waiver.id}`, "auditor")).body.state).toBe("pending");
  });
});
