// Folds of a hold's events: placed (an active row at version 1), cleared (moved on from the version it was decided on).
import { MaestroError } from "../../common/errors.ts";
import type { LedgerEvent } from "../event/envelope.ts";
import { FoldRefused, type ProjectionView, type RowChange } from "./row-change.ts";

interface PlacedPayload {
  scope: { type: string; id?: string };
  reason: string;
}

/** Every ledger event about the row, as [{kind, index}] (the order the hold views have always read). */
function withRef(refs: string, event: LedgerEvent, index: number): string {
  return JSON.stringify([...(JSON.parse(refs) as unknown[]), { kind: event.kind, index }]);
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
  const key = { id: event.subject!.id };
  const row = view.get("holds", key);
  // Decided on `fromVersion`: a hold that moved on since (a concurrent clear won) refuses it, nothing written.
  if (row === null || row.version !== p.fromVersion) {
    const message = `hold ${key.id} changed while this request was decided (it is now ${row?.state ?? "gone"}); re-read it and try again`;
    throw new FoldRefused("mismatch", message, new MaestroError("conflict", message, { details: { state: row?.state ?? undefined } }));
  }
  return [
    {
      op: "update",
      table: "holds",
      key,
      values: {
        state: "cleared",
        version: p.fromVersion + 1,
        cleared_by: event.actor.id,
        cleared_at: event.time,
        clear_reason: p.reason,
        ledger_refs: withRef(String(row.ledger_refs), event, index),
      },
    },
  ];
}
