// Hono middleware: authenticate the bearer token, then require one of the roles a route allows.
import type { MiddlewareHandler } from "hono";
import { MaestroError } from "../../common/errors.ts";
import type { Principal, Role } from "./roles.ts";
import type { TokenVerifier } from "./tokens.ts";

export type AuthEnv = { Variables: { principal: Principal } };

export function authenticate(verifiers: TokenVerifier[]): MiddlewareHandler<AuthEnv> {
  return async (c, next) => {
    const header = c.req.header("authorization");
    if (!header) throw new MaestroError("unauthenticated", "missing Authorization: Bearer token");
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) throw new MaestroError("unauthenticated", "Authorization header must be 'Bearer <token>'");
    let lastError: unknown;
    for (const verifier of verifiers) {
      try {
        c.set("principal", await verifier.verify(match[1]));
        return next();
      } catch (err) {
        lastError = err;
      }
    }
    throw lastError ?? new MaestroError("unauthenticated", "no token verifier configured");
  };
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
