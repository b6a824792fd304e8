// A session's owner: the token subject whose decision opened it. Claimed with that decision, checked on every later one
// and on every outcome that taints or spends; never moved, so a check against a read from before still holds at commit.
import { type Kysely, sql } from "kysely";
import { MaestroError } from "../../common/errors.ts";
import type { Principal } from "../auth/roles.ts";

/** Refuses (403) a token acting in a session another token opened; `owner` null is a session nobody opened yet. */
export function requireSessionOwner(owner: string | null, principal: Principal, session: string, field = "/session"): void {
  if (owner !== null && owner !== principal.sub) throw sessionMismatch(session, field);
}

/**
 * Claims an unowned session for `principal` inside the deciding append's transaction, or refuses the append if
 * another token's decision claimed it first (two tokens opening one session at once: the database picks one). A
 * session row from before owners (a taint, no owner) is claimed the same way.
 */
export async function claimSession(trx: Kysely<any>, session: string, principal: Principal): Promise<void> {
  const { rows } = await sql<{
    owner: string;
  }>`insert into sessions (session, tainted, taint_sources, owner) values (${session}, false, '[]', ${principal.sub})
    on conflict (session) do update set owner = excluded.owner where sessions.owner is null or sessions.owner = excluded.owner
    returning owner`.execute(trx);
  if (rows.length === 0) throw sessionMismatch(session, "/session");
}

function sessionMismatch(session: string, field: string): MaestroError {
  return new MaestroError(
    "session_mismatch",
    `session ${JSON.stringify(session)} belongs to another token: a session is used only by the token that opened it`,
    { field },
  );
}
