// Shared by the folds of versioned rows (holds, waivers, break-glass, webhooks): each event about the row is listed in its
// ledger_refs, and a transition applies only to the version it was decided on.
import { MaestroError } from "../../common/errors.ts";
import type { LedgerEvent } from "../event/envelope.ts";
import { FoldRefused, type ProjectionView, type Row, type RowChange } from "./row-change.ts";

/** `refs` (JSON [{kind, index}], the order the views have always read) with this event added. */
export function withRef(refs: string, event: LedgerEvent, index: number): string {
  return JSON.stringify([...(JSON.parse(refs) as unknown[]), { kind: event.kind, index }]);
}

/**
 * Moves row `id` of `table` on from `fromVersion`, the version the event was decided on: one that moved on since (a
 * concurrent approve, revoke, clear or review won) refuses the event, and nothing is written (409).
 */
export function transition(
  view: ProjectionView,
  table: "holds" | "waivers" | "breakglass" | "webhooks",
  event: LedgerEvent,
  index: number,
  fromVersion: number,
  values: Row,
): RowChange {
  const key = { id: event.subject!.id };
  const row = view.get(table, key);
  if (row === null || row.version !== fromVersion) {
    const noun = { waivers: "waiver", holds: "hold", breakglass: "break-glass", webhooks: "webhook" }[table];
    const state = row === null ? undefined : String(row.state);
    const message = `${noun} ${key.id} changed while this request was decided (it is now ${state ?? "gone"}); re-read it and try again`;
    throw new FoldRefused("mismatch", message, new MaestroError("conflict", message, { details: { state } }));
  }
  return {
    op: "update",
    table,
    key,
    values: { ...values, version: fromVersion + 1, ledger_refs: withRef(String(row.ledger_refs), event, index) },
  };
}
