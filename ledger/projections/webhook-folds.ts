// Folds of a webhook subscription's events: subscribed (an active row, its URL and signing secret attached, which the
// event names only by digest) and removed (the row moves on from the version it was decided on; the secret goes).
import { canonicalJson } from "../event/canonical-json.ts";
import type { LedgerEvent } from "../event/envelope.ts";
import type { ProjectionView, RowChange } from "./row-change.ts";
import { transition, withRef } from "./versioned-rows.ts";

interface SubscribedPayload {
  urlDigest: string;
  events: string[];
  format: string;
  secretDigest: string;
}

export function foldWebhookSubscribed(event: LedgerEvent, index: number): RowChange[] {
  const p = event.payload as unknown as SubscribedPayload;
  const id = event.subject!.id;
  return [
    {
      op: "insert",
      table: "webhooks",
      key: { id },
      values: {
        state: "active",
        version: 1,
        url: p.urlDigest,
        events: canonicalJson(p.events),
        format: p.format,
        secret_digest: p.secretDigest,
        created_by: event.actor.id,
        created_at: event.time,
        removed_by: null,
        removed_at: null,
        ledger_refs: withRef("[]", event, index),
      },
    },
    { op: "insert", table: "webhook_secrets", key: { webhook_id: id }, values: { secret: p.secretDigest } },
  ];
}

export function foldWebhookRemoved(event: LedgerEvent, index: number, view: ProjectionView): RowChange[] {
  const p = event.payload as { fromVersion: number };
  const secret = { webhook_id: event.subject!.id };
  const changes = [
    transition(view, "webhooks", event, index, p.fromVersion, { state: "removed", removed_by: event.actor.id, removed_at: event.time }),
  ];
  // The secret is of no further use; dropping it means a leaked backup cannot sign for this URL again.
  if (view.get("webhook_secrets", secret) !== null) changes.push({ op: "delete", table: "webhook_secrets", key: secret });
  return changes;
}
