// SSO configuration from the environment: off by default, complete or refused, role maps parsed strictly.
import { describe, expect, it } from "vitest";
import { oidcConfigFromEnv, parseRoleMap } from "./oidc-verifier.ts";

describe("oidcConfigFromEnv", () => {
  it("is off without an issuer", () => {
    expect(oidcConfigFromEnv({})).toBeNull();
  });

  it("refuses a partial configuration, naming the missing variable", () => {
    expect(() => oidcConfigFromEnv({ MAESTRO_OIDC_ISSUER: "https://sso", MAESTRO_OIDC_JWKS_URL: "https://sso/jwks" })).toThrow(
      /MAESTRO_OIDC_AUDIENCE/,
    );
    expect(() => oidcConfigFromEnv({ MAESTRO_OIDC_ISSUER: "https://sso", MAESTRO_OIDC_AUDIENCE: "m" })).toThrow(/MAESTRO_OIDC_JWKS_URL/);
  });

  it("defaults the role claim to role and reads the map", () => {
    const config = oidcConfigFromEnv({
      MAESTRO_OIDC_ISSUER: "https://sso",
      MAESTRO_OIDC_AUDIENCE: "m",
      MAESTRO_OIDC_JWKS_URL: "https://sso/jwks",
      MAESTRO_OIDC_ROLE_MAP: '{"sec":"security"}',
    });
    expect(config).toEqual({
      issuer: "https://sso",
      audience: "m",
      jwksUrl: "https://sso/jwks",
      roleClaim: "role",
      roleMap: { sec: "security" },
      subjectCheck: "refuse",
    });
    expect(
      oidcConfigFromEnv({ MAESTRO_OIDC_ISSUER: "i", MAESTRO_OIDC_AUDIENCE: "m", MAESTRO_OIDC_JWKS_URL: "u", MAESTRO_SUBJECT_CHECK: "off" })
        ?.subjectCheck,
    ).toBe("off");
  });
});

describe("parseRoleMap", () => {
  it("reads pairs and JSON", () => {
    expect(parseRoleMap("a=admin, team:sec=security")).toEqual({ a: "admin", "team:sec": "security" });
    expect(parseRoleMap('{"x":"auditor"}')).toEqual({ x: "auditor" });
    expect(parseRoleMap("  ")).toBeUndefined();
  });

  it("refuses unknown roles and malformed text", () => {
    expect(() => parseRoleMap("a=root")).toThrow(/one of admin/);
    expect(() => parseRoleMap("justaname")).toThrow(/MAESTRO_OIDC_ROLE_MAP/);
    expect(() => parseRoleMap("{bad json")).toThrow(/not valid JSON/);
  });
});
