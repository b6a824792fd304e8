// Sorts a release's ledger events into evidence categories, and derives the release record and exception summaries from them.
import type { EvidenceSet, IndexedEvent, ReleaseRecord, SbomRef } from "./types.ts";
import { present } from "../../common/present.ts";

export interface Classified {
  created?: IndexedEvent;
  published?: IndexedEvent;
  publishDecision?: IndexedEvent;
  set: Omit<EvidenceSet, "sbom" | "target">;
  /** Events that do not belong to this release's evidence (the verifier reports them). */
  stray: Array<{ index: number; why: string }>;
}

type Payload = Record<string, any>;

export function classifyEvents(
  events: IndexedEvent[],
  scope: { releaseId: string; sessions: string[]; runsets: string[]; publishDecisionId?: string },
): Classified {
  const out: Classified = { set: { decisions: [], outcomes: [], waivers: [], holds: [], breakglass: [], policies: [] }, stray: [] };
  const sessions = new Set(scope.sessions);
  const runsets = new Set(scope.runsets);
  for (const e of [...events].sort((a, b) => a.index - b.index)) {
    const { kind, subject } = e.event;
    const p = e.event.payload as Payload;
    if (kind === "release.created" || kind === "release.published") {
      if (subject?.type !== "release" || subject.id !== scope.releaseId)
        out.stray.push({ index: e.index, why: "event of another release" });
      else if (kind === "release.created") out.created = e;
      else out.published = e;
    } else if (kind === "decision" && subject?.id === scope.publishDecisionId) {
      out.publishDecision = e;
    } else if (kind === "decision") {
      if (sessions.has(String(p.call?.session)) || runsets.has(String(p.call?.runset))) out.set.decisions.push(e);
      else out.stray.push({ index: e.index, why: "decision outside the release's sessions and runsets" });
    } else if (kind === "outcome") out.set.outcomes.push(e);
    else if (kind.startsWith("waiver.")) out.set.waivers.push(e);
    else if (kind.startsWith("hold.")) out.set.holds.push(e);
    else if (kind.startsWith("breakglass.")) out.set.breakglass.push(e);
    else if (kind === "policy.activated") out.set.policies.push(e);
    else out.stray.push({ index: e.index, why: `event kind ${kind} is not release evidence` });
  }
  return out;
}

export interface ExceptionSummary {
  id: string;
  /** The last event's kind without its prefix, e.g. "approved", "cleared", "reviewed". */
  state: string;
  events: number[];
}

/** One row per waiver / hold / break-glass: its current state and the ledger indexes of its events. */
export function summarize(events: IndexedEvent[]): ExceptionSummary[] {
  const byId = new Map<string, IndexedEvent[]>();
  for (const e of [...events].sort((a, b) => a.index - b.index)) {
    const id = e.event.subject?.id ?? "";
    byId.set(id, [...(byId.get(id) ?? []), e]);
  }
  return [...byId.entries()].map(([id, list]) => ({
    id,
    state: present(list.at(-1), `the events of ${id}`).event.kind.split(".").slice(1).join("."),
    events: list.map((e) => e.index),
  }));
}

/** The release record exactly as its release.created / release.published events state it. */
export function releaseFromEvents(created: IndexedEvent, published: IndexedEvent | undefined): ReleaseRecord {
  const c = created.event.payload as Payload;
  const p = published?.event.payload as Payload | undefined;
  return {
    id: created.event.subject!.id,
    repository: c.repository,
    version: c.version,
    artifacts: c.artifacts,
    runsets: c.runsets,
    sessions: c.sessions,
    state: published ? "published" : "draft",
    createdBy: created.event.actor.id,
    createdAt: created.event.time,
    createdIndex: created.index,
    sbom: (c.sbom as SbomRef | null) ?? null,
    published:
      published && p
        ? {
            at: published.event.time,
            by: published.event.actor.id,
            index: published.index,
            decisionId: p.decisionId,
            decisionIndex: p.decisionIndex,
            statementDigest: p.statementDigest,
            signerKid: p.signerKid,
            tree: p.tree,
          }
        : null,
  };
}
