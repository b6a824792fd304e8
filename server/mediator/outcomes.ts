// A tool's outcome, after its allowed decision, appended as an "outcome" event with its projection row; for taint or
// spend, also the session and run-set updates the next decision reads.
import type { Kysely } from "kysely";
import { MaestroError } from "../../common/errors.ts";
import type { AppendedEntry, AppendOptions, LedgerWriter } from "../../ledger/append/ledger-writer.ts";
import type { EventInput } from "../../ledger/event/envelope.ts";
import type { Principal } from "../auth/roles.ts";
import { holdsSecret, type ReadFacts } from "../content/content-facts.ts";
import { requireSessionOwner } from "./session-owner.ts";
import type { Outcome } from "./types.ts";
import type { AppDb } from "../db/app-db.ts";

export interface OutcomeTarget {
  decisionId: string;
  session: string;
  runset: string;
  /** The decision's canonical resource: the path, host or command a reported read came from. */
  resource: string;
}

/** An outcome as ledgered: what the tool reported, and the facts of what it read (never the text). */
export type RecordedOutcome = Outcome & { content?: ReadFacts };

/**
 * The allowed decision an outcome belongs to, asked for by the same token; otherwise a 409 naming `field`. Another
 * token's decision answers as an unknown one does, as the plain path's foreign key does too. Its session must be the
 * token's own (403): a decision made in another token's session before sessions had owners taints or spends nothing.
 */
export async function allowedDecision(
  db: Kysely<AppDb>,
  decisionId: string,
  principal: Principal,
  field = "decisionId",
): Promise<OutcomeTarget> {
  const mediation = await db
    .selectFrom("mediations")
    .leftJoin("sessions", "sessions.session", "mediations.session")
    .select(["mediations.decision", "mediations.session", "mediations.runset", "mediations.resource", "sessions.owner"])
    .where("mediations.decision_id", "=", decisionId)
    .where("mediations.decided_by", "=", principal.sub)
    .executeTakeFirst();
  if (!mediation)
    throw new MaestroError(
      "conflict",
      `no decision ${decisionId} by ${principal.sub}: an outcome needs an allowed decision of its own token`,
      { field },
    );
  if (mediation.decision !== "allow") {
    throw new MaestroError("conflict", `decision ${decisionId} was ${mediation.decision}; a tool that was not allowed has no outcome`, {
      field,
    });
  }
  requireSessionOwner(mediation.owner, principal, mediation.session, field);
  return { decisionId, session: mediation.session, runset: mediation.runset, resource: mediation.resource };
}

/**
 * Whether an outcome changes what the next decision reads (taint, spend, a secret read): those need their decision's
 * row first.
 */
export function isPlainOutcome(outcome: RecordedOutcome): boolean {
  return !outcome.taint && !outcome.costUsd && !holdsSecret(outcome.content);
}

/**
 * Appends a plain outcome without reading its decision first: its projection row references the allowed decision
 * (a foreign key on (decision_id, 'allow', the reporting token)) and is keyed by it, so the database refuses an outcome
 * for an unknown or not-allowed decision, or another token's (23503), or a second one (23505), and the writer refuses
 * that append alone: a 409 naming `field`.
 */
export function appendPlainOutcome(
  writer: LedgerWriter<AppDb>,
  decisionId: string,
  outcome: RecordedOutcome,
  principal: Principal,
): Promise<AppendedEntry> {
  const { input, options } = plainOutcomeAppend(decisionId, outcome, principal, "decisionId");
  return writer.append(input, options);
}

/** A plain outcome as an append of its own or a member of a group (a decision carrying it); a conflict names `field`. */
export function plainOutcomeAppend(
  decisionId: string,
  outcome: RecordedOutcome,
  principal: Principal,
  field: string,
): { input: EventInput; options: AppendOptions<AppDb> } {
  const conflict = (sqlstate: string) =>
    sqlstate === "23505"
      ? new MaestroError("conflict", `decision ${decisionId} already has an outcome`, { field })
      : new MaestroError("conflict", `no allowed decision ${decisionId} by ${principal.sub}: a tool that was not allowed has no outcome`, {
          field,
        });
  return {
    input: outcomeEvent(decisionId, outcome, principal),
    // The outcome's fold inserts its row, referencing the allowed decision: no read, one statement.
    options: {
      conflict,
      // No taint, no spend: nothing a decision's call state holds.
      leavesReadsValid: true,
    },
  };
}

/**
 * Why a group carrying these outcomes was refused (the database says only that one row broke a key): the first that
 * names an unknown, not-allowed or another token's decision, or one that already has an outcome. Read only then.
 */
export async function refusedCarriedOutcome(
  db: Kysely<AppDb>,
  decisionIds: string[],
  principal: Principal,
): Promise<MaestroError | undefined> {
  const allowed = await db
    .selectFrom("mediations")
    .select("decision_id")
    .where("decision_id", "in", decisionIds)
    .where("decision", "=", "allow")
    .where("decided_by", "=", principal.sub)
    .execute();
  const reported = await db.selectFrom("outcomes").select("decision_id").where("decision_id", "in", decisionIds).execute();
  const own = new Set(allowed.map((r) => r.decision_id));
  const done = new Set(reported.map((r) => r.decision_id));
  for (const [i, id] of decisionIds.entries()) {
    const field = `/outcomes/${i}/decisionId`;
    if (!own.has(id))
      return new MaestroError(
        "conflict",
        `no allowed decision ${id} by ${principal.sub}: a tool that was not allowed has no outcome; nothing of this request was recorded`,
        { field },
      );
    if (done.has(id) || decisionIds.indexOf(id) < i)
      return new MaestroError("conflict", `decision ${id} already has an outcome; nothing of this request was recorded`, { field });
  }
  return undefined;
}

/**
 * Appends a tainting, spending or secret-reading outcome; its fold (ledger/projections) writes the outcome row and the session and
 * run-set updates the next decision reads, in the append's transaction.
 */
export function appendOutcomeWithEffects(
  writer: LedgerWriter<AppDb>,
  target: OutcomeTarget,
  outcome: RecordedOutcome,
  principal: Principal,
): Promise<AppendedEntry> {
  const { decisionId } = target;
  return writer.append(outcomeEvent(decisionId, outcome, principal), {
    conflict: (sqlstate) =>
      sqlstate === "23505"
        ? new MaestroError("conflict", `decision ${decisionId} already has an outcome`, { field: "decisionId" })
        : new MaestroError("conflict", `no allowed decision ${decisionId} by ${principal.sub}`, { field: "decisionId" }),
  });
}

function outcomeEvent(decisionId: string, outcome: RecordedOutcome, principal: Principal) {
  return {
    kind: "outcome",
    actor: { id: principal.sub, role: principal.role, type: "agent" as const },
    subject: { id: decisionId, type: "decision" },
    payload: { ...outcome },
  };
}
