// Optional SSO: verifies bearer tokens from an OIDC issuer against its JWKS and maps a claim to a Maestro role.
import { createRemoteJWKSet, type JWTPayload, jwtVerify } from "jose";
import { type Clock, systemClock } from "../../common/clock.ts";
import { MaestroError } from "../../common/errors.ts";
import { refuseUnsafeSubject, type SubjectCheck, subjectCheckFromEnv } from "./person-identity.ts";
import { bindingFromClaims } from "./agent-binding.ts";
import { isRole, type Principal, ROLES, type Role } from "./roles.ts";
import { type TokenVerifier, tokenError } from "./tokens.ts";
import { itemAt } from "../../common/present.ts";

export interface OidcConfig {
  issuer: string;
  audience: string;
  jwksUrl: string;
  /** Claim holding the role or group(s); a dotted path reaches nested claims, e.g. "realm_access.roles". */
  roleClaim: string;
  /** Claim value → role; when absent the claim must already hold a Maestro role name. */
  roleMap?: Record<string, Role>;
  /** Subjects mixing scripts or holding invisible characters are refused at sign-in unless `off` (MAESTRO_SUBJECT_CHECK). */
  subjectCheck?: SubjectCheck;
}

// Asymmetric algorithms only: an HMAC "alg" would let anyone holding the JWKS forge tokens (RFC 8725 §3.1).
const ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"];

/**
 * Reads MAESTRO_OIDC_ISSUER, _AUDIENCE, _JWKS_URL, _ROLE_CLAIM (default "role") and _ROLE_MAP
 * ("group=role,group2=role2" or a JSON object), and MAESTRO_SUBJECT_CHECK (refuse | off). No issuer → SSO off; a partial configuration is an error.
 */
export function oidcConfigFromEnv(env: NodeJS.ProcessEnv = process.env): OidcConfig | null {
  const issuer = env.MAESTRO_OIDC_ISSUER;
  if (!issuer) return null;
  const audience = env.MAESTRO_OIDC_AUDIENCE;
  const jwksUrl = env.MAESTRO_OIDC_JWKS_URL;
  if (!audience)
    throw new MaestroError("bad_request", "MAESTRO_OIDC_AUDIENCE is required with MAESTRO_OIDC_ISSUER", { field: "MAESTRO_OIDC_AUDIENCE" });
  if (!jwksUrl)
    throw new MaestroError("bad_request", "MAESTRO_OIDC_JWKS_URL is required with MAESTRO_OIDC_ISSUER", { field: "MAESTRO_OIDC_JWKS_URL" });
  return {
    issuer,
    audience,
    jwksUrl,
    roleClaim: env.MAESTRO_OIDC_ROLE_CLAIM || "role",
    roleMap: parseRoleMap(env.MAESTRO_OIDC_ROLE_MAP),
    subjectCheck: subjectCheckFromEnv(env),
  };
}

export function parseRoleMap(text: string | undefined): Record<string, Role> | undefined {
  if (!text?.trim()) return undefined;
  let entries: [string, unknown][];
  if (text.trim().startsWith("{")) {
    try {
      entries = Object.entries(JSON.parse(text) as Record<string, unknown>);
    } catch (err) {
      throw new MaestroError("bad_request", "MAESTRO_OIDC_ROLE_MAP is not valid JSON", { field: "MAESTRO_OIDC_ROLE_MAP", cause: err });
    }
  } else {
    entries = text.split(",").map((pair) => {
      const at = pair.lastIndexOf("=");
      return [pair.slice(0, at).trim(), pair.slice(at + 1).trim()] as [string, unknown];
    });
  }
  const map: Record<string, Role> = {};
  for (const [value, role] of entries) {
    if (!value || !isRole(role)) {
      throw new MaestroError(
        "bad_request",
        `MAESTRO_OIDC_ROLE_MAP entry "${value}=${String(role)}" must map a claim value to one of ${ROLES.join(", ")}`,
        {
          field: "MAESTRO_OIDC_ROLE_MAP",
        },
      );
    }
    map[value] = role;
  }
  return map;
}

export function oidcTokenVerifier(config: OidcConfig, clock: Clock = systemClock): TokenVerifier {
  const jwks = createRemoteJWKSet(new URL(config.jwksUrl));
  return {
    issuer: config.issuer,
    async verify(token) {
      let payload: JWTPayload;
      try {
        ({ payload } = await jwtVerify(token, jwks, {
          issuer: config.issuer,
          audience: config.audience,
          algorithms: ALGORITHMS,
          currentDate: clock.now(),
          requiredClaims: ["exp", "sub"],
        }));
      } catch (err) {
        throw tokenError(err);
      }
      const sub = subjectOf(payload);
      // An identity provider may hand out `ѕam` (Cyrillic ѕ) or `sam\u200B` beside sam: refused before it acts as anyone.
      refuseUnsafeSubject(sub, config.subjectCheck ?? "refuse", "unauthenticated");
      // The identity provider binds agent tokens with the same claims as `maestro token issue` (roles.md).
      return { sub, role: roleOf(payload, config), issuer: config.issuer, ...bindingFromClaims(payload) } satisfies Principal;
    },
  };
}

/** The verifiers SSO adds to ctx.tokenVerifiers: none unless MAESTRO_OIDC_ISSUER is set. */
export function oidcVerifiersFromEnv(env: NodeJS.ProcessEnv = process.env, clock: Clock = systemClock): TokenVerifier[] {
  const config = oidcConfigFromEnv(env);
  return config ? [oidcTokenVerifier(config, clock)] : [];
}

function subjectOf(payload: JWTPayload): string {
  if (!payload.sub) throw new MaestroError("unauthenticated", "token has no subject");
  return payload.sub;
}

/** One role per token: a claim mapping to two different roles is refused rather than guessed at. */
function roleOf(payload: JWTPayload, config: OidcConfig): Role {
  let raw: unknown = payload;
  for (const part of config.roleClaim.split(".")) raw = raw && typeof raw === "object" ? (raw as Record<string, unknown>)[part] : undefined;
  const values = (Array.isArray(raw) ? raw : [raw]).filter((v): v is string => typeof v === "string");
  const roles = new Set(values.map((v) => (config.roleMap ? config.roleMap[v] : v)).filter(isRole));
  if (roles.size === 0) throw new MaestroError("unauthenticated", `token claim ${config.roleClaim} maps to no Maestro role`);
  if (roles.size > 1) {
    throw new MaestroError(
      "unauthenticated",
      `token claim ${config.roleClaim} maps to several roles (${[...roles].join(", ")}); a token must carry one`,
    );
  }
  return itemAt([...roles], 0, "the token's roles");
}
