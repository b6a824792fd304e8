// Which agents and run-sets a token may act as (its maestro_agents / maestro_runsets claims), checked wherever a call names them.
import type { JWTPayload } from "jose";
import { MaestroError } from "../../common/errors.ts";
import type { Principal } from "./roles.ts";

/** Agent names the token may act as; absent, only its own `sub`. */
export const AGENTS_CLAIM = "maestro_agents";
/** Run-sets the token may act in; absent, any. */
export const RUNSETS_CLAIM = "maestro_runsets";

// The name grammars of schemas/mediate/tool-call.schema.json: a claim that names what no call can name is a mistake.
const AGENT_NAME = /^[A-Za-z0-9][\w.:@-]{0,127}$/;
const RUNSET_NAME = /^[A-Za-z0-9][\w.:-]{0,127}$/;
const MAX_NAMES = 256;

export interface AgentBinding {
  agents?: readonly string[];
  runsets?: readonly string[];
}

/** The names in a claim, or why they are not acceptable (the caller picks the error code). */
function namesIn(value: unknown, pattern: RegExp, claim: string): readonly string[] | string {
  if (!Array.isArray(value) || value.length === 0 || value.length > MAX_NAMES) return `${claim} must be a list of 1-${MAX_NAMES} names`;
  const bad = value.find((v) => typeof v !== "string" || !pattern.test(v));
  if (bad !== undefined) return `${claim} holds ${JSON.stringify(bad)}, not a valid name`;
  return [...new Set(value as string[])];
}

/**
 * The binding a verified token carries. A malformed claim refuses the token: guessing would either widen it (ignore
 * the claim, fall back to `sub`) or lock its holder out without saying why.
 */
export function bindingFromClaims(payload: JWTPayload): AgentBinding {
  const binding: { agents?: readonly string[]; runsets?: readonly string[] } = {};
  for (const [key, claim, pattern] of [
    ["agents", AGENTS_CLAIM, AGENT_NAME],
    ["runsets", RUNSETS_CLAIM, RUNSET_NAME],
  ] as const) {
    if (payload[claim] === undefined) continue;
    const names = namesIn(payload[claim], pattern, claim);
    if (typeof names === "string") throw new MaestroError("unauthenticated", `token claim ${names}`);
    binding[key] = names;
  }
  return binding;
}

/** The claims `token issue` writes for a binding; an invalid one is refused naming its flag. */
export function bindingClaims(binding: AgentBinding): Record<string, readonly string[]> {
  const claims: Record<string, readonly string[]> = {};
  for (const [key, claim, pattern] of [
    ["agents", AGENTS_CLAIM, AGENT_NAME],
    ["runsets", RUNSETS_CLAIM, RUNSET_NAME],
  ] as const) {
    if (binding[key] === undefined) continue;
    const names = namesIn(binding[key], pattern, claim);
    if (typeof names === "string") throw new MaestroError("invalid_field", names, { field: key });
    claims[claim] = names;
  }
  return claims;
}

/**
 * Refuses a call that names an agent or run-set the token is not bound to (403). Without this any agent token could
 * act as any agent: take its grants, read its session, spend its budget.
 */
export function requireActsAs(
  principal: Principal,
  target: { agent: string; runset: string },
  fields = { agent: "/agent", runset: "/runset" },
): void {
  const agents = principal.agents ?? [principal.sub];
  if (!agents.includes(target.agent)) {
    throw new MaestroError(
      "agent_mismatch",
      `this token acts as ${agents.map((a) => JSON.stringify(a)).join(", ")}, not ${JSON.stringify(target.agent)}`,
      { field: fields.agent },
    );
  }
  if (principal.runsets && !principal.runsets.includes(target.runset)) {
    throw new MaestroError(
      "runset_mismatch",
      `this token acts in run-set(s) ${principal.runsets.map((r) => JSON.stringify(r)).join(", ")}, not ${JSON.stringify(target.runset)}`,
      {
        field: fields.runset,
      },
    );
  }
}
