// What every claim evaluator shares: payload access, grouping by subject, waiver state at a decision, the result shape.
import type { ClaimKey, ClaimResult, IndexedEvent } from "./types.ts";

export type Payload = Record<string, any>;
export const payload = (e: IndexedEvent): Payload => e.event.payload as Payload;
export const subjectId = (e: IndexedEvent): string => e.event.subject?.id ?? "";
export const sorted = (xs: number[]): number[] => [...new Set(xs)].sort((a, b) => a - b);

export function result(claim: ClaimKey, statement: string, indexes: number[], counter: number[], reason: string | undefined): ClaimResult {
  const status = counter.length === 0 && reason === undefined ? "supported" : "unsupported";
  return {
    claim,
    statement,
    status,
    ...(status === "unsupported" ? { reason: reason ?? "contradicted by the events listed as counterexamples" } : {}),
    indexes: sorted(indexes),
    counterexamples: sorted(counter),
  };
}

/** Groups events by subject id, each group in ledger order. */
export function bySubject(events: IndexedEvent[]): Map<string, IndexedEvent[]> {
  const groups = new Map<string, IndexedEvent[]>();
  for (const e of [...events].sort((a, b) => a.index - b.index)) {
    const list = groups.get(subjectId(e)) ?? [];
    list.push(e);
    groups.set(subjectId(e), list);
  }
  return groups;
}

/**
 * A waiver covers a decision if it was in force before it (activated, or finally approved) and neither revoked nor
 * expired by then. An approval that is not the final one (the first of two people) puts nothing in force.
 */
export function waiverActiveAt(events: IndexedEvent[] | undefined, at: IndexedEvent): boolean {
  let active = false;
  let expiresAt: string | undefined;
  for (const e of events ?? []) {
    if (e.index >= at.index) break;
    const kind = e.event.kind;
    if (kind === "waiver.activated" || (kind === "waiver.approved" && payload(e).final === true)) active = true;
    if (kind === "waiver.revoked" || kind === "waiver.expired") active = false;
    const exp = payload(e).expiresAt;
    if (typeof exp === "string") expiresAt = exp;
  }
  return active && (expiresAt === undefined || Date.parse(at.event.time) < Date.parse(expiresAt));
}
