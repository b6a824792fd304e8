// How a waiver reads in the Evidence API and in the policy input.

import type { WaiversTable } from "./tables.ts";
import { iso, parseRefs, withProofLinks } from "../transition.ts";

export interface WaiverApproval {
  by: string;
  at: string;
  ledgerIndex: number;
}

/** An active waiver whose expiry has passed reads as expired even before its `waiver.expired` event exists. */
export function effectiveState(row: Pick<WaiversTable, "state" | "expires_at">, now: Date): string {
  if (row.state === "active" && row.expires_at && new Date(row.expires_at).getTime() <= now.getTime()) return "expired";
  return row.state;
}

export function waiverView(row: WaiversTable, now: Date, treeSize: number) {
  return {
    id: row.id,
    state: effectiveState(row, now),
    capability: row.capability,
    resource: row.resource,
    agents: row.agents === null ? null : (JSON.parse(row.agents) as string[]),
    runsets: row.runsets === null ? null : (JSON.parse(row.runsets) as string[]),
    waives: JSON.parse(row.waives) as string[],
    fingerprints: parseList(row.fingerprints),
    justification: row.justification,
    ticket: row.ticket,
    durationSeconds: row.duration_seconds,
    requestedBy: row.requested_by,
    requestedAt: iso(row.requested_at),
    approvalsRequired: row.approvals_required,
    approvals: JSON.parse(row.approvals) as WaiverApproval[],
    activatedAt: iso(row.activated_at),
    expiresAt: iso(row.expires_at),
    revokedBy: row.state === "revoked" ? row.ended_by : null,
    revokedAt: row.state === "revoked" ? iso(row.ended_at) : null,
    revokeReason: row.state === "revoked" ? row.end_reason : null,
    uses: { count: row.use_count, lastUsedAt: iso(row.last_used_at) },
    ledger: withProofLinks(parseRefs(row.ledger_refs), treeSize),
  };
}

export type WaiverView = ReturnType<typeof waiverView>;

/** The waiver document the policy expects in input.waivers (policies/rego/match.rego). */
export function policyWaiver(row: WaiversTable) {
  return {
    id: row.id,
    capability: row.capability,
    resource: row.resource,
    agents: row.agents === null ? null : (JSON.parse(row.agents) as string[]),
    runsets: row.runsets === null ? null : (JSON.parse(row.runsets) as string[]),
    expires_at: new Date(row.expires_at!).toISOString(),
    waives: JSON.parse(row.waives) as string[],
    fingerprints: parseList(row.fingerprints),
    state: "active" as const,
  };
}

/** A nullable JSON list column (null when the row predates it, too). */
function parseList(value: string | null | undefined): string[] | null {
  return value === null || value === undefined ? null : (JSON.parse(value) as string[]);
}
