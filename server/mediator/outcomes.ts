// A tool's outcome, after its allowed decision: checked against that decision, then appended as an "outcome" event
// with its projection row (and, for taint or spend, the session and run-set updates the next decision reads).
import type { Kysely } from "kysely";
import { MaestroError } from "../../common/errors.ts";
import type { AppendedEntry, LedgerWriter } from "../../ledger/append/ledger-writer.ts";
import type { Principal } from "../auth/roles.ts";
import type { MediatorTables } from "./tables.ts";
import type { Outcome } from "./types.ts";

export interface OutcomeTarget {
  decisionId: string;
  session: string;
  runset: string;
}

/** The allowed decision an outcome belongs to; an unknown or not-allowed decision is a 409 naming `field`. */
export async function allowedDecision(db: Kysely<MediatorTables>, decisionId: string, field = "decisionId"): Promise<OutcomeTarget> {
  const mediation = await db.selectFrom("mediations").select(["decision", "session", "runset"]).where("decision_id", "=", decisionId).executeTakeFirst();
  if (!mediation) throw new MaestroError("conflict", `no decision ${decisionId}: an outcome needs an allowed decision`, { field });
  if (mediation.decision !== "allow") {
    throw new MaestroError("conflict", `decision ${decisionId} was ${mediation.decision}; a tool that was not allowed has no outcome`, { field });
  }
  return { decisionId, session: mediation.session, runset: mediation.runset };
}

/**
 * Appends the outcome. The usual one changes no policy input: a projection row, committed in the writer's
 * one-statement path; a second outcome for the decision collides on the row's key and is refused alone (409).
 * Taint and spend change what the next decision reads, so they take the savepoint path with their updates.
 */
export function appendOutcome(writer: LedgerWriter, target: OutcomeTarget, outcome: Outcome, principal: Principal, now: Date, field = "decisionId"): Promise<AppendedEntry> {
  const { decisionId } = target;
  const duplicate = new MaestroError("conflict", `decision ${decisionId} already has an outcome`, { field });
  const row = { decision_id: decisionId, status: outcome.status, cost_usd: outcome.costUsd ?? 0, created_at: now };
  const event = {
    kind: "outcome",
    actor: { type: "agent" as const, id: principal.sub, role: principal.role },
    subject: { type: "decision", id: decisionId },
    payload: { ...outcome },
  };
  if (!outcome.taint && !outcome.costUsd) {
    return writer.append(event, { rows: (index) => [{ table: "outcomes", values: { ...row, ledger_index: index } }], conflict: duplicate });
  }
  return writer.append(event, {
    apply: async (trx, _event, index) => {
      const inserted = await trx
        .insertInto("outcomes")
        .values({ ...row, ledger_index: index })
        .onConflict((oc) => oc.column("decision_id").doNothing())
        .executeTakeFirst();
      if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0) throw duplicate;
      if (outcome.taint) await markTainted(trx, target.session, outcome.taint.source);
      if (outcome.costUsd) {
        await trx.updateTable("runsets").set((eb) => ({ spent_usd: eb("spent_usd", "+", outcome.costUsd!) })).where("name", "=", target.runset).execute();
      }
    },
  });
}

async function markTainted(trx: Kysely<any>, session: string, source: string): Promise<void> {
  const row = await trx.selectFrom("sessions").select(["taint_sources"]).where("session", "=", session).executeTakeFirst();
  const sources = row ? (JSON.parse(row.taint_sources) as string[]) : [];
  if (!sources.includes(source)) sources.push(source);
  await trx
    .insertInto("sessions")
    .values({ session, tainted: true, taint_sources: JSON.stringify(sources) })
    .onConflict((oc) => oc.column("session").doUpdateSet({ tainted: true, taint_sources: JSON.stringify(sources) }))
    .execute();
}
