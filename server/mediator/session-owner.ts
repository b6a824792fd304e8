// A session's owner: the token subject whose decision opened it. Claimed with that decision (its fold, ledger/projections), checked on every later one
// and on every outcome that taints or spends; never moved, so a check against a read from before still holds at commit.
import { MaestroError } from "../../common/errors.ts";
import type { Principal } from "../auth/roles.ts";

/** Refuses (403) a token acting in a session another token opened; `owner` null is a session nobody opened yet. */
export function requireSessionOwner(owner: string | null, principal: Principal, session: string, field = "/session"): void {
  if (owner !== null && owner !== principal.sub) throw sessionMismatch(session, field);
}

function sessionMismatch(session: string, field: string): MaestroError {
  return new MaestroError(
    "session_mismatch",
    `session ${JSON.stringify(session)} belongs to another token: a session is used only by the token that opened it`,
    { field },
  );
}
