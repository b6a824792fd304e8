// The event kinds a subscription can ask for, and which ledger entries each one is made from (pure: no I/O).

/** What a receiver sees in `type`; the list, in its order. */
export const WEBHOOK_KINDS = [
  "waiver.requested",
  "waiver.approved",
  "waiver.expiring",
  "waiver.expired",
  "hold.placed",
  "hold.cleared",
  "breakglass.opened",
  "breakglass.review_overdue",
  "release.blocked",
  "release.published",
  "policy.activated",
] as const;

export type WebhookKind = (typeof WEBHOOK_KINDS)[number];

/**
 * Ledger kind → webhook kind. A waiver is of use once its final approval activates it, so `waiver.approved` is the
 * ledger's `waiver.activated` (it carries the expiry). `release.blocked` has no row here: it is a `decision` entry
 * for release.publish that did not allow, found through the mediations projection (see ledger-source.ts).
 */
const FROM_LEDGER: Record<string, WebhookKind> = {
  "waiver.requested": "waiver.requested",
  "waiver.activated": "waiver.approved",
  "waiver.expiring": "waiver.expiring",
  "waiver.expired": "waiver.expired",
  "hold.placed": "hold.placed",
  "hold.cleared": "hold.cleared",
  "breakglass.opened": "breakglass.opened",
  "breakglass.review_overdue": "breakglass.review_overdue",
  "release.published": "release.published",
  "policy.activated": "policy.activated",
};

export function webhookKindOf(ledgerKind: string, decision?: { capability: string; allow: boolean }): WebhookKind | undefined {
  if (ledgerKind === "decision")
    return decision && decision.capability === "release.publish" && !decision.allow ? "release.blocked" : undefined;
  return FROM_LEDGER[ledgerKind];
}

/** The ledger kinds (other than decisions) that carry any of `wanted`. */
export function ledgerKindsFor(wanted: readonly WebhookKind[]): string[] {
  return Object.entries(FROM_LEDGER)
    .filter(([, kind]) => wanted.includes(kind))
    .map(([ledgerKind]) => ledgerKind);
}
