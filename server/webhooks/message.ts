// What a receiver gets (pure): the Standard Webhooks body, or a Slack message, for one ledger entry.
import type { LedgerEvent } from "../../ledger/event/envelope.ts";
import type { WebhookKind } from "./event-kinds.ts";

export type WebhookFormat = "standard" | "slack";

export interface DeliveryInput {
  kind: WebhookKind | "webhook.test";
  index: number;
  event: LedgerEvent;
  /** The entry's detached JWS over its canonical bytes (ledger/append/event-signer.ts). */
  signature: string;
  /** Tree size the inclusion-proof link is computed at (the index is below it). */
  treeSize: number;
  /** Where the server is reached, for links: MAESTRO_PUBLIC_URL. */
  baseUrl: string;
}

/**
 * The Standard Webhooks payload shape (`type`, `timestamp`, `data`: https://www.standardwebhooks.com). `data` holds
 * the signed ledger entry itself, so a receiver can verify the event against /.well-known/jwks.json and its
 * inclusion in the log, not only the webhook signature.
 */
export function standardBody(input: DeliveryInput): string {
  return JSON.stringify({
    type: input.kind,
    timestamp: input.event.time,
    data: {
      ledgerIndex: input.index,
      eventId: input.event.id,
      ledgerKind: input.event.kind,
      summary: describe(input),
      entry: { event: input.event, signature: input.signature },
      links: links(input),
    },
  });
}

/** A Slack incoming-webhook message (`text` with mrkdwn links): what happened, who, until when, where to look. */
export function slackBody(input: DeliveryInput): string {
  const { api, inclusionProof } = links(input);
  const see = api ? ` <${api}|details>` : "";
  return JSON.stringify({
    text: `*${input.kind}* ${escapeSlack(describe(input))}${see} · <${inclusionProof}|ledger entry ${input.index}>`,
  });
}

export function bodyFor(format: WebhookFormat, input: DeliveryInput): string {
  return format === "slack" ? slackBody(input) : standardBody(input);
}

function links(input: DeliveryInput): { api?: string; entry: string; inclusionProof: string } {
  const base = input.baseUrl.replace(/\/+$/, "");
  const subject = input.event.subject;
  const collection: Record<string, string> = {
    waiver: "waivers",
    hold: "holds",
    breakglass: "breakglass",
    release: "releases",
    decision: "decisions",
  };
  const path = subject && collection[subject.type];
  return {
    // Holds and break-glass are listed, not served one by one.
    ...(path && {
      api: subject.type === "hold" || subject.type === "breakglass" ? `${base}/v1/${path}` : `${base}/v1/${path}/${subject.id}`,
    }),
    entry: `${base}/v1/ledger/entries/${input.index}`,
    inclusionProof: `${base}/v1/ledger/proofs/inclusion?index=${input.index}&size=${input.treeSize}`,
  };
}

const text = (v: unknown) => (typeof v === "string" ? v : JSON.stringify(v));

/** One sentence for people: what, who, until when. Fields come from the signed payloads of each kind. */
export function describe(input: DeliveryInput): string {
  const p = input.event.payload as Record<string, any>;
  const who = input.event.actor.id;
  const id = input.event.subject?.id ?? "";
  switch (input.kind) {
    case "waiver.requested":
      return `${who} requested waiver ${id} of ${p.capability} on ${p.resource} for ${p.durationSeconds} s (${p.approvalsRequired} approval(s) needed): ${p.justification}`;
    case "waiver.approved":
      return `waiver ${id} approved by ${text((p.approvers ?? []).join(", "))}; in force until ${p.expiresAt}`;
    case "waiver.expiring":
      return `waiver ${id} (requested by ${p.requestedBy}) expires at ${p.expiresAt}`;
    case "waiver.expired":
      return `waiver ${id} expired at ${p.expiresAt}`;
    case "hold.placed":
      return `${who} placed hold ${id} on ${scopeText(p.scope)}: ${p.reason}`;
    case "hold.cleared":
      return `${who} cleared hold ${id}: ${p.reason}`;
    case "breakglass.opened":
      return `${who} opened break-glass ${id} on ${scopeText(p.scope)} until ${p.expiresAt}; review due by ${p.reviewDeadline}`;
    case "breakglass.review_overdue":
      return `break-glass ${id} opened by ${p.openedBy} was due for review by ${p.reviewDeadline} and is not reviewed`;
    case "release.blocked":
      return `release.publish of ${p.call?.resource} by ${p.call?.agent} was ${p.decision}: ${(p.reasons ?? []).map((r: any) => r.code ?? text(r)).join(", ")}`;
    case "release.published":
      return `${who} published release ${id}`;
    case "policy.activated":
      return `policy bundle ${p.digest} activated by ${who} (${p.source})`;
    case "webhook.test":
      return `test delivery requested by ${who}`;
  }
}

function scopeText(scope: { type?: string; id?: string } | undefined): string {
  if (!scope || scope.type === "all") return "everything";
  return `${scope.type} ${scope.id ?? ""}`.trim();
}

/** Slack reads &, < and > as markup (https://api.slack.com/reference/surfaces/formatting#escaping). */
function escapeSlack(value: string): string {
  return value.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}
