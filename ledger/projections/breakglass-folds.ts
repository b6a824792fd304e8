// Folds of a break-glass override's events: opened (an open row at version 1), reviewed (closed with a finding, moved
// on from the version it was decided on). JSON columns hold RFC 8785 text, so the ledger's bytes give the same row.
import { canonicalJson } from "../event/canonical-json.ts";
import type { LedgerEvent } from "../event/envelope.ts";
import type { ProjectionView, RowChange } from "./row-change.ts";
import { transition, withRef } from "./versioned-rows.ts";

interface OpenedPayload {
  counterClaim: string;
  compensatingControls: string[];
  reviewDeadline: string;
  expiresAt: string;
  scope: { type: string; id?: string; capabilities?: string[] };
}

export function foldBreakglassOpened(event: LedgerEvent, index: number): RowChange[] {
  const p = event.payload as unknown as OpenedPayload;
  return [
    {
      op: "insert",
      table: "breakglass",
      key: { id: event.subject!.id },
      values: {
        state: "open",
        version: 1,
        opened_by: event.actor.id,
        opened_at: event.time,
        expires_at: p.expiresAt,
        review_deadline: p.reviewDeadline,
        counter_claim: p.counterClaim,
        compensating_controls: canonicalJson(p.compensatingControls),
        scope: canonicalJson(p.scope),
        reviewed_by: null,
        reviewed_at: null,
        finding: null,
        verdict: null,
        use_count: 0,
        ledger_refs: withRef("[]", event, index),
      },
    },
  ];
}

export function foldBreakglassReviewed(event: LedgerEvent, index: number, view: ProjectionView): RowChange[] {
  const p = event.payload as { finding: string; verdict: string; fromVersion: number };
  return [
    transition(view, "breakglass", event, index, p.fromVersion, {
      state: "reviewed",
      reviewed_by: event.actor.id,
      reviewed_at: event.time,
      finding: p.finding,
      verdict: p.verdict,
    }),
  ];
}
