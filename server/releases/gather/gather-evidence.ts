// Gathers a release's evidence from the ledger (the source of truth), using the mediator's projections only to find decisions by session.
import type { Kysely } from "kysely";
import { type Classified, classifyEvents } from "../../../evidence/index.ts";
import { entriesByIndex, entriesByKind, entriesBySubject, type EvidenceEntry } from "./ledger-queries.ts";
import type { AppDb } from "../../db/app-db.ts";

export interface GatherScope {
  releaseId: string;
  sessions: string[];
  runsets: string[];
  createdIndex: number;
  publishDecision?: { id: string; index: number };
}

export interface GatheredEvidence {
  /** Every evidence event below `size`, in index order. */
  entries: EvidenceEntry[];
  classified: Classified;
}

const CHUNK = 1000;

/** Decision and outcome indexes of the release's sessions and runsets, from the mediator's projections. */
async function mediationIndexes(db: Kysely<AppDb>, scope: GatherScope, size: number): Promise<number[]> {
  if (scope.sessions.length === 0 && scope.runsets.length === 0) return [];
  const decisions = await db
    .selectFrom("mediations")
    .select(["decision_id", "ledger_index"])
    .where("ledger_index", "<", size)
    .where((eb) =>
      eb.or([
        ...(scope.sessions.length ? [eb("session", "in", scope.sessions)] : []),
        ...(scope.runsets.length ? [eb("runset", "in", scope.runsets)] : []),
      ]),
    )
    .execute();
  const indexes = decisions.map((d) => Number(d.ledger_index));
  const ids = decisions.map((d) => d.decision_id);
  for (let i = 0; i < ids.length; i += CHUNK) {
    const outcomes = await db
      .selectFrom("outcomes")
      .select(["ledger_index"])
      .where("decision_id", "in", ids.slice(i, i + CHUNK))
      .where("ledger_index", "<", size)
      .execute();
    indexes.push(...outcomes.map((o) => Number(o.ledger_index)));
  }
  return indexes;
}

/** The tool name of the release.publish decisions ReleaseService asks for on a release manager's behalf. */
export const PUBLISH_TOOL = "maestro.release.publish";

/**
 * Another release's publish decision, made on a release manager's token (never an agent's: an agent cannot hide its
 * own calls this way). Publishing records its decision in the release's first run-set, so without this every later
 * release of that run-set cited the earlier ones' publishes, allowed or held, as tool calls of its own.
 */
function otherPublishDecision(e: EvidenceEntry, scope: GatherScope): boolean {
  const call = (e.event.payload as { call?: { tool?: unknown } }).call;
  return (
    e.event.kind === "decision" &&
    e.event.actor.role !== "agent" &&
    call?.tool === PUBLISH_TOOL &&
    e.event.subject?.id !== scope.publishDecision?.id
  );
}

export async function gatherEvidence(db: Kysely<AppDb>, scope: GatherScope, size: number): Promise<GatheredEvidence> {
  const fixed = [scope.createdIndex, ...(scope.publishDecision ? [scope.publishDecision.index] : [])];
  const found = await entriesByIndex(db, [...fixed, ...(await mediationIndexes(db, scope, size))], size);
  const calls = found.filter((e) => !otherPublishDecision(e, scope));
  // Waivers the decisions cite, with all their events (requested … revoked/expired).
  const waiverIds = new Set<string>();
  for (const e of calls) {
    const cited = (e.event.payload as { waivers?: unknown }).waivers;
    if (e.event.kind === "decision" && Array.isArray(cited)) for (const id of cited) waiverIds.add(String(id));
  }
  const waivers = await entriesBySubject(
    db,
    [...waiverIds].map((id) => `waiver:${id}`),
    size,
  );
  // Holds and break-glass are global governance state: all of them, past and present.
  const governance = await entriesByKind(db, ["policy.activated"], ["hold.", "breakglass."], size);
  const digests = new Set(calls.map((e) => (e.event.payload as { policy?: { digest?: string } }).policy?.digest));
  const relevant = governance.filter(
    (e) => e.event.kind !== "policy.activated" || digests.has((e.event.payload as { digest?: string }).digest),
  );

  const byIndex = new Map<number, EvidenceEntry>();
  for (const e of [...calls, ...waivers, ...relevant]) byIndex.set(e.index, e);
  const all = [...byIndex.values()].sort((a, b) => a.index - b.index);
  const classified = classifyEvents(all, { ...scope, publishDecisionId: scope.publishDecision?.id });
  // Outcomes of decisions outside the scope cannot arrive here; anything stray is left out of the evidence.
  const stray = new Set(classified.stray.map((s) => s.index));
  return { entries: all.filter((e) => !stray.has(e.index)), classified };
}
