// Bearer tokens: EdDSA JWTs issued by `maestro token issue` and verified here against our published token keys.

import type { KeyObject } from "node:crypto";
import { importJWK, type JWK, type JWTPayload, errors as joseErrors, jwtVerify, SignJWT } from "jose";
import { type Clock, systemClock } from "../../common/clock.ts";
import { MaestroError } from "../../common/errors.ts";
import { type AgentBinding, bindingClaims, bindingFromClaims } from "./agent-binding.ts";
import { refuseUnsafeSubject, type SubjectCheck } from "./person-identity.ts";
import { isRole, type Principal, type Role } from "./roles.ts";

export const TOKEN_ISSUER = "maestro";
export const TOKEN_AUDIENCE = "maestro-api";
const MAX_TTL_SECONDS = 30 * 24 * 3600;

export interface TokenKey {
  kid: string;
  privateKey: KeyObject;
}

/** Parses "90s", "15m", "8h", "7d" into seconds. */
export function parseTtl(ttl: string): number {
  const match = /^(\d+)([smhd])$/.exec(ttl);
  if (!match) throw new MaestroError("invalid_field", `ttl "${ttl}" must look like 90s, 15m, 8h or 7d`, { field: "ttl" });
  const seconds = Number(match[1]) * { s: 1, m: 60, h: 3600, d: 86400 }[match[2] as "s" | "m" | "h" | "d"];
  if (seconds < 1 || seconds > MAX_TTL_SECONDS) {
    throw new MaestroError("invalid_field", `ttl must be between 1s and 30d`, { field: "ttl" });
  }
  return seconds;
}

/**
 * A subject we sign: 1-128 letters (any script), marks, digits and . _ @ : -, and, unless `check` is `off`, neither
 * mixed scripts nor invisible characters (person-identity.ts): `ѕam` with a Cyrillic ѕ would pass for sam to a reader.
 */
export function checkTokenSubject(sub: string, check: SubjectCheck = "refuse"): void {
  refuseUnsafeSubject(sub, check, "invalid_field");
  if (!/^[\p{L}\p{M}\p{N}_.@:-]{1,128}$/u.test(sub)) {
    throw new MaestroError("invalid_field", "sub must be 1-128 characters of letters, digits, . _ @ : -", { field: "sub" });
  }
}

/** `binding` names the agents (default: `sub` alone) and run-sets (default: any) an agent token may act as. */
export async function issueToken(
  key: TokenKey,
  role: Role,
  sub: string,
  ttlSeconds: number,
  clock: Clock = systemClock,
  binding: AgentBinding = {},
  check: SubjectCheck = "refuse",
): Promise<string> {
  if (!isRole(role)) throw new MaestroError("invalid_field", `unknown role "${role}"`, { field: "role" });
  checkTokenSubject(sub, check);
  const claims = bindingClaims(binding);
  // Only agent tokens name agents; on another role the claim would be a promise nothing reads.
  if (role !== "agent" && Object.keys(claims).length > 0) {
    throw new MaestroError("invalid_field", `only agent tokens are bound to agents or run-sets, not ${role} tokens`, {
      field: binding.agents ? "agents" : "runsets",
    });
  }
  const now = Math.floor(clock.now().getTime() / 1000);
  return new SignJWT({ role, ...claims })
    .setProtectedHeader({ alg: "EdDSA", kid: key.kid, typ: "JWT" })
    .setIssuer(TOKEN_ISSUER)
    .setAudience(TOKEN_AUDIENCE)
    .setSubject(sub)
    .setIssuedAt(now)
    .setExpirationTime(now + ttlSeconds)
    .sign(key.privateKey);
}

export interface TokenVerifier {
  /** The `iss` this verifier owns; authenticate() routes a token to the verifier of its issuer. */
  issuer?: string;
  verify(token: string): Promise<Principal>;
}

/** Verifies our own tokens against the token public keys (current and retired) by `kid`. */
export function localTokenVerifier(publicKeys: (kid?: string) => Promise<JWK[]>, clock: Clock = systemClock): TokenVerifier {
  // A verified token is immutable until it expires: remembering it saves a signature check per request.
  const verified = new Map<string, { principal: Principal; expiresMs: number }>();
  return {
    issuer: TOKEN_ISSUER,
    async verify(token) {
      const hit = verified.get(token);
      if (hit) {
        if (clock.now().getTime() < hit.expiresMs) return hit.principal;
        verified.delete(token);
      }
      let payload: JWTPayload;
      try {
        ({ payload } = await jwtVerify(
          token,
          async (header) => {
            const known = await publicKeys(header.kid);
            const jwk = known.find((k) => k.kid === header.kid);
            if (!jwk) throw unknownKid(header.kid, known);
            return importJWK(jwk, "EdDSA");
          },
          // A token without exp would never expire: refused, as one without a subject is.
          {
            issuer: TOKEN_ISSUER,
            audience: TOKEN_AUDIENCE,
            algorithms: ["EdDSA"],
            currentDate: clock.now(),
            requiredClaims: ["exp", "sub"],
          },
        ));
      } catch (err) {
        throw tokenError(err);
      }
      const principal = principalFrom(payload, TOKEN_ISSUER, "role");
      if (verified.size >= VERIFIED_CACHE_SIZE) verified.clear();
      verified.set(token, { principal, expiresMs: (payload.exp ?? 0) * 1000 });
      return principal;
    },
  };
}

const VERIFIED_CACHE_SIZE = 10_000;

/**
 * The usual cause is a token issued against another data dir or database (each has its own token key), so the
 * message names both key ids: the fix is to issue it where the server keeps its keys. Key ids are public.
 */
function unknownKid(kid: string | undefined, known: JWK[]): MaestroError {
  const ids = known.map((k) => k.kid).filter(Boolean);
  return new MaestroError(
    "token_bad_signature",
    `token signature does not verify: the token names key id ${kid ? JSON.stringify(kid) : "(none)"}, this server knows ${ids.length ? ids.map((id) => JSON.stringify(id)).join(", ") : "no token keys"}; was it issued with another --data-dir or --database-url? Issue it with the server's own (maestro token issue --data-dir DIR)`,
  );
}

export function principalFrom(payload: JWTPayload, issuer: string, roleClaim: string, roleMap?: Record<string, Role>): Principal {
  const raw = payload[roleClaim];
  const role = roleMap && typeof raw === "string" ? roleMap[raw] : raw;
  if (!isRole(role)) throw new MaestroError("unauthenticated", "token carries no known role");
  if (!payload.sub) throw new MaestroError("unauthenticated", "token has no subject");
  return { sub: payload.sub, role, issuer, ...bindingFromClaims(payload) };
}

export function tokenError(err: unknown): MaestroError {
  if (err instanceof MaestroError) return err;
  if (err instanceof joseErrors.JWTExpired) return new MaestroError("token_expired", "token expired", { cause: err });
  if (err instanceof joseErrors.JWTClaimValidationFailed && (err.claim === "iss" || err.claim === "aud")) {
    return new MaestroError("token_unknown_issuer", `token ${err.claim} is not accepted here`, { cause: err });
  }
  if (err instanceof joseErrors.JWSSignatureVerificationFailed || err instanceof joseErrors.JWKSNoMatchingKey) {
    return new MaestroError("token_bad_signature", "token signature does not verify", { cause: err });
  }
  return new MaestroError("unauthenticated", "token is malformed or not accepted", { cause: err });
}
