// Before a runner or proxy starts: does its agent token act as the agents and run-set it will name? The server decides
// (403 agent_mismatch, runset_mismatch); this says so before any work starts, with the command that issues a fitting token.
import { decodeJwt, type JWTPayload } from "jose";
import { AGENTS_CLAIM, RUNSETS_CLAIM } from "../server/index.ts";
import { UsageError } from "./command.ts";

export function checkTokenActsAs(token: string, agents: readonly string[], runset: string): void {
  let claims: JWTPayload;
  try {
    claims = decodeJwt(token);
  } catch {
    return; // not a token this can read (an opaque SSO token, say): the server answers for it
  }
  const bound = Array.isArray(claims[AGENTS_CLAIM]) ? (claims[AGENTS_CLAIM] as unknown[]) : [claims.sub];
  const runsets = claims[RUNSETS_CLAIM];
  const missing = agents.filter((a) => !bound.includes(a));
  const outside = Array.isArray(runsets) && !runsets.includes(runset);
  if (missing.length === 0 && !outside) return;
  const what = [missing.length > 0 && `agent(s) ${missing.join(", ")}`, outside && `run-set ${runset}`].filter(Boolean).join(" or in ");
  throw new UsageError(
    `the agent token (sub ${String(claims.sub)}) may not act as ${what}; issue one that may: ` +
      `maestro token issue --role agent --sub ${String(claims.sub)} --agents ${agents.join(",")} --runsets ${runset}`,
  );
}
