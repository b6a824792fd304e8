// Folds of a waiver's events: requested (a pending row at version 1), approved (one more approver; the final one makes
// it approved), activated (active until expiresAt), revoked, expired. Each transition moves the row on from the version
// it was decided on, or refuses the event.
import type { LedgerEvent } from "../event/envelope.ts";
import type { ProjectionView, RowChange } from "./row-change.ts";
import { transition, withRef } from "./versioned-rows.ts";

interface RequestedPayload {
  capability: string;
  resource: string;
  agents: string[] | null;
  runsets: string[] | null;
  waives: string[];
  fingerprints?: string[] | null;
  justification: string;
  ticket: string | null;
  durationSeconds: number;
  approvalsRequired: number;
}

const list = (value: string[] | null | undefined) => (value === null || value === undefined ? null : JSON.stringify(value));

export function foldWaiverRequested(event: LedgerEvent, index: number): RowChange[] {
  const p = event.payload as unknown as RequestedPayload;
  return [
    {
      op: "insert",
      table: "waivers",
      key: { id: event.subject!.id },
      values: {
        state: "pending",
        version: 1,
        capability: p.capability,
        resource: p.resource,
        agents: list(p.agents),
        runsets: list(p.runsets),
        waives: JSON.stringify(p.waives),
        fingerprints: list(p.fingerprints),
        justification: p.justification,
        ticket: p.ticket,
        duration_seconds: p.durationSeconds,
        approvals_required: p.approvalsRequired,
        approvals: "[]",
        requested_by: event.actor.id,
        requested_at: event.time,
        activated_at: null,
        expires_at: null,
        ended_by: null,
        ended_at: null,
        end_reason: null,
        use_count: 0,
        last_used_at: null,
        ledger_refs: withRef("[]", event, index),
      },
    },
  ];
}

export function foldWaiverApproved(event: LedgerEvent, index: number, view: ProjectionView): RowChange[] {
  const p = event.payload as { approvalsRequired: number; final: boolean; fromVersion: number };
  const row = view.get("waivers", { id: event.subject!.id });
  // The approvers so far, as [{by, at, ledgerIndex}]; `transition` refuses a row that is gone or moved on.
  const approvals = row === null ? [] : (JSON.parse(String(row.approvals)) as unknown[]);
  return [
    transition(view, "waivers", event, index, p.fromVersion, {
      state: p.final ? "approved" : "pending",
      approvals: JSON.stringify([...approvals, { by: event.actor.id, at: event.time, ledgerIndex: index }]),
      approvals_required: p.approvalsRequired,
    }),
  ];
}

export function foldWaiverActivated(event: LedgerEvent, index: number, view: ProjectionView): RowChange[] {
  const p = event.payload as { activatedAt: string; expiresAt: string; fromVersion: number };
  return [
    transition(view, "waivers", event, index, p.fromVersion, { state: "active", activated_at: p.activatedAt, expires_at: p.expiresAt }),
  ];
}

export function foldWaiverRevoked(event: LedgerEvent, index: number, view: ProjectionView): RowChange[] {
  const p = event.payload as { reason: string; fromVersion: number };
  return [
    transition(view, "waivers", event, index, p.fromVersion, {
      state: "revoked",
      ended_by: event.actor.id,
      ended_at: event.time,
      end_reason: p.reason,
    }),
  ];
}

export function foldWaiverExpired(event: LedgerEvent, index: number, view: ProjectionView): RowChange[] {
  const p = event.payload as { expiresAt: string; fromVersion: number };
  return [transition(view, "waivers", event, index, p.fromVersion, { state: "expired", ended_at: p.expiresAt })];
}
