// Decision search for the Evidence API (and the auditor's console): filters on the mediations fold, newest first, and
// reason codes read from the signed decision events themselves.
import { type Kysely, sql } from "kysely";
import { MaestroError } from "../../common/errors.ts";
import type { AppDb } from "../db/app-db.ts";
import type { MediationsTable } from "./tables.ts";

export interface DecisionFilter {
  sessions: string[];
  runsets: string[];
  agent?: string;
  capability?: string;
  decision?: string;
  reason?: string;
  /** Decided at or after this instant. */
  since?: Date;
  /** Decided before this instant. */
  until?: Date;
  /** Only entries below this ledger index (the cursor). */
  before?: number;
  limit: number;
}

const VERDICTS = ["allow", "deny", "require_approval"];
// Reason codes are the policy's snake_case identifiers (policies/rego: no_grant, hold_active, secret_detected, …).
const REASON_CODE = /^[a-z][a-z0-9_]{0,63}$/;
const CAPABILITY = /^[a-z][a-z0-9_.]{0,63}$/;
// RFC 3339 date-time with an explicit offset: a time without one would mean whatever zone the server runs in.
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/i;

/** The same rules for the OpenAPI document (since and until: the date-time DATE_TIME reads, described there). */
export const DECISION_SEARCH_PARAMS = {
  decision: { type: "string", enum: VERDICTS },
  reason: { type: "string", pattern: REASON_CODE.source },
  capability: { type: "string", pattern: CAPABILITY.source },
  agent: { type: "string", minLength: 1, maxLength: 256 },
  since: { type: "string", description: "RFC 3339 date-time with an offset (decided at or after)" },
  until: { type: "string", description: "RFC 3339 date-time with an offset (decided before)" },
};

/** The search's query parameters, checked: each refusal is a 400 naming its parameter. */
export function parseDecisionFilter(
  q: (name: string) => string | undefined,
): Omit<DecisionFilter, "sessions" | "runsets" | "before" | "limit"> {
  const decision = q("decision");
  if (decision !== undefined && !VERDICTS.includes(decision)) {
    throw new MaestroError("invalid_field", "decision must be allow, deny or require_approval", { field: "decision" });
  }
  const reason = q("reason");
  if (reason !== undefined && !REASON_CODE.test(reason)) {
    throw new MaestroError("invalid_field", "reason must be a reason code such as no_grant or hold_active", { field: "reason" });
  }
  const capability = q("capability");
  if (capability !== undefined && !CAPABILITY.test(capability)) {
    throw new MaestroError("invalid_field", "capability must look like repo.write", { field: "capability" });
  }
  const agent = q("agent");
  if (agent !== undefined && (agent.length === 0 || agent.length > 256)) {
    throw new MaestroError("invalid_field", "agent must be 1 to 256 characters", { field: "agent" });
  }
  const since = instant(q("since"), "since");
  const until = instant(q("until"), "until");
  if (since && until && since >= until) throw new MaestroError("invalid_field", "since must be before until", { field: "since" });
  return { decision, reason, capability, agent, since, until };
}

function instant(value: string | undefined, field: string): Date | undefined {
  if (value === undefined) return undefined;
  const at = new Date(value);
  if (!DATE_TIME.test(value) || Number.isNaN(at.getTime())) {
    throw new MaestroError("invalid_field", `${field} must be an RFC 3339 date-time with an offset, e.g. 2026-12-03T14:00:00Z`, { field });
  }
  return at;
}

/** Up to `limit + 1` rows (one more says there is a next page), newest first. */
export function searchDecisions(db: Kysely<AppDb>, f: DecisionFilter): Promise<MediationsTable[]> {
  let query = db
    .selectFrom("mediations")
    .selectAll()
    .orderBy("ledger_index", "desc")
    .limit(f.limit + 1);
  if (f.before !== undefined) query = query.where("ledger_index", "<", f.before);
  if (f.decision) query = query.where("decision", "=", f.decision);
  if (f.agent !== undefined) query = query.where("agent", "=", f.agent);
  if (f.capability !== undefined) query = query.where("capability", "=", f.capability);
  if (f.since) query = query.where("created_at", ">=", f.since);
  if (f.until) query = query.where("created_at", "<", f.until);
  if (f.sessions.length || f.runsets.length) {
    query = query.where((eb) =>
      eb.or([
        ...(f.sessions.length ? [eb("session", "in", f.sessions)] : []),
        ...(f.runsets.length ? [eb("runset", "in", f.runsets)] : []),
      ]),
    );
  }
  if (f.reason !== undefined) {
    // The reasons are in the signed event, not in the fold (a new fold column would change what every replay compares):
    // the decision's entry holds them as RFC 8785 JSON, which both stores (PostgreSQL, and PGlite, which is PostgreSQL)
    // read as jsonb. Containment matches a reason with this code among any others.
    const wanted = JSON.stringify({ payload: { reasons: [{ code: f.reason }] } });
    query = query.where(
      sql<boolean>`exists (select 1 from ledger_entries e where e.idx = mediations.ledger_index and convert_from(e.canonical, 'UTF8')::jsonb @> ${wanted}::jsonb)`,
    );
  }
  return query.execute();
}
