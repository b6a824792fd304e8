// What a decision citing waivers or break-glass overrides adds to them: one more use, and a use row naming the
// decision. An id the store has no row for is skipped (a policy citing an unknown id must not fail the decision).
import type { LedgerEvent } from "../event/envelope.ts";
import type { ProjectionView, RowChange } from "./row-change.ts";

interface CitingPayload {
  waivers?: string[];
  breakglass?: string[];
}

export function exceptionUses(event: LedgerEvent, view: ProjectionView): RowChange[] {
  const p = event.payload as unknown as CitingPayload;
  const decisionId = event.subject!.id;
  const changes: RowChange[] = [];
  for (const id of new Set(p.waivers ?? [])) {
    const row = view.get("waivers", { id });
    if (row === null) continue;
    changes.push(
      { op: "update", table: "waivers", key: { id }, values: { use_count: Number(row.use_count) + 1, last_used_at: event.time } },
      { op: "insert", table: "waiver_uses", key: { waiver_id: id, decision_id: decisionId }, values: { used_at: event.time } },
    );
  }
  for (const id of new Set(p.breakglass ?? [])) {
    const row = view.get("breakglass", { id });
    if (row === null) continue;
    changes.push(
      { op: "update", table: "breakglass", key: { id }, values: { use_count: Number(row.use_count) + 1 } },
      { op: "insert", table: "breakglass_uses", key: { breakglass_id: id, decision_id: decisionId }, values: { used_at: event.time } },
    );
  }
  return changes;
}
