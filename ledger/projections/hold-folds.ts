// Folds of a hold's events: placed (an active row at version 1), cleared (moved on from the version it was decided on).
import type { LedgerEvent } from "../event/envelope.ts";
import type { ProjectionView, RowChange } from "./row-change.ts";
import { transition, withRef } from "./versioned-rows.ts";

interface PlacedPayload {
  scope: { type: string; id?: string };
  reason: string;
}

export function foldHoldPlaced(event: LedgerEvent, index: number): RowChange[] {
  const p = event.payload as unknown as PlacedPayload;
  return [
    {
      op: "insert",
      table: "holds",
      key: { id: event.subject!.id },
      values: {
        state: "active",
        version: 1,
        scope_type: p.scope.type,
        scope_id: p.scope.id ?? null,
        reason: p.reason,
        placed_by: event.actor.id,
        placed_at: event.time,
        cleared_by: null,
        cleared_at: null,
        clear_reason: null,
        ledger_refs: withRef("[]", event, index),
      },
    },
  ];
}

export function foldHoldCleared(event: LedgerEvent, index: number, view: ProjectionView): RowChange[] {
  const p = event.payload as { reason: string; fromVersion: number };
  return [
    transition(view, "holds", event, index, p.fromVersion, {
      state: "cleared",
      cleared_by: event.actor.id,
      cleared_at: event.time,
      clear_reason: p.reason,
    }),
  ];
}
