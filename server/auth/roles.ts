// The roles a bearer token can carry, and the route × role matrix every write route enforces.
import { samePerson } from "./person-identity.ts";

export const ROLES = ["admin", "security", "engineer", "auditor", "agent"] as const;
export type Role = (typeof ROLES)[number];

export function isRole(value: unknown): value is Role {
  return typeof value === "string" && (ROLES as readonly string[]).includes(value);
}

export interface Principal {
  sub: string;
  role: Role;
  /** Where the token came from: our own issuer or a configured OIDC issuer. */
  issuer: string;
  /** Agent names the token may act as (claim maestro_agents); absent, only `sub`. See agent-binding.ts. */
  agents?: readonly string[];
  /** Run-sets the token may act in (claim maestro_runsets); absent, any. */
  runsets?: readonly string[];
}

/**
 * Whether two token subjects name the same person for separation of duties: compared as people, not as strings
 * (NFKC, case folding, invisible characters dropped, UTS #39 confusable skeleton; person-identity.ts). `Erin@example.com`,
 * fullwidth `ｅｒｉｎ@example.com` and `erin@example.com` are one person: a requester must not approve their own waiver,
 * nor count twice as approver, with a second token spelled another way.
 */
export function sameSubject(a: string, b: string): boolean {
  return samePerson(a, b);
}
