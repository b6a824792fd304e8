// Hono middleware: authenticate the bearer token, then require one of the roles a route allows.
import type { MiddlewareHandler } from "hono";
import { decodeJwt } from "jose";
import { MaestroError } from "../../common/errors.ts";
import type { Principal, Role } from "./roles.ts";
import type { TokenVerifier } from "./tokens.ts";

export type AuthEnv = { Variables: { principal: Principal } };

export function authenticate(verifiers: readonly TokenVerifier[]): MiddlewareHandler<AuthEnv> {
  return async (c, next) => {
    const header = c.req.header("authorization");
    if (!header) throw new MaestroError("unauthenticated", "missing Authorization: Bearer token");
    const token = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
    if (token === undefined) throw new MaestroError("unauthenticated", "Authorization header must be 'Bearer <token>'");
    c.set("principal", await verifyBearer(token, verifiers));
    return next();
  };
}

/**
 * Routes the token to the verifier of its (unverified) `iss`, so the reason a token is refused comes from
 * the issuer that should have accepted it: expired, bad signature, or no trusted issuer at all.
 */
export async function verifyBearer(token: string, verifiers: readonly TokenVerifier[]): Promise<Principal> {
  let issuer: unknown;
  try {
    issuer = decodeJwt(token).iss;
  } catch (err) {
    throw new MaestroError("unauthenticated", "bearer token is not a well-formed JWT", { cause: err });
  }
  const owners = verifiers.filter((v) => v.issuer !== undefined && v.issuer === issuer);
  const candidates = owners.length > 0 ? owners : verifiers.filter((v) => v.issuer === undefined);
  if (candidates.length === 0) {
    throw new MaestroError("token_unknown_issuer", `token issuer ${JSON.stringify(issuer ?? null)} is not trusted here`);
  }
  let lastError: unknown;
  for (const verifier of candidates) {
    try {
      return await verifier.verify(token);
    } catch (err) {
      lastError = err;
    }
  }
  throw lastError;
}

export function requireRole(...roles: Role[]): MiddlewareHandler<AuthEnv> {
  return async (c, next) => {
    const principal = c.get("principal");
    if (!roles.includes(principal.role)) {
      throw new MaestroError("forbidden", `this action needs role ${roles.join(" or ")}; the token has role ${principal.role}`, {
        details: { required: roles, actual: principal.role },
      });
    }
    return next();
  };
}
