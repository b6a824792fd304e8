// The one fold per event kind: the writer applies it inside the append's transaction, the verifier at replay.
import type { LedgerEvent } from "../event/envelope.ts";
import { foldBreakglassOpened, foldBreakglassReviewed } from "./breakglass-folds.ts";
import { foldHoldCleared, foldHoldPlaced } from "./hold-folds.ts";
import { foldDecision, foldOutcome, foldRunsetRegistered } from "./mediator-folds.ts";
import { bumpPolicyDataVersion, foldPolicyActivated, POLICY_DATA_KINDS } from "./policy-folds.ts";
import { foldReleaseCreated, foldReleasePublished } from "./release-folds.ts";
import type { ProjectionView, RowChange } from "./row-change.ts";
import { foldWaiverActivated, foldWaiverApproved, foldWaiverExpired, foldWaiverRequested, foldWaiverRevoked } from "./waiver-folds.ts";
import { foldWebhookRemoved, foldWebhookSubscribed } from "./webhook-folds.ts";

type Fold = (event: LedgerEvent, index: number, view: ProjectionView) => RowChange[];

const FOLDS: Record<string, Fold> = {
  decision: foldDecision,
  outcome: foldOutcome,
  "runset.registered": foldRunsetRegistered,
  "hold.placed": foldHoldPlaced,
  "hold.cleared": foldHoldCleared,
  "waiver.requested": foldWaiverRequested,
  "waiver.approved": foldWaiverApproved,
  "waiver.activated": foldWaiverActivated,
  "waiver.revoked": foldWaiverRevoked,
  "waiver.expired": foldWaiverExpired,
  "breakglass.opened": foldBreakglassOpened,
  "breakglass.reviewed": foldBreakglassReviewed,
  "release.created": foldReleaseCreated,
  "release.published": foldReleasePublished,
  "webhook.subscribed": foldWebhookSubscribed,
  "webhook.removed": foldWebhookRemoved,
  "policy.activated": foldPolicyActivated,
};

/** Whether events of this kind change projection rows (every other kind changes none). */
export function hasFold(kind: string): boolean {
  return Object.hasOwn(FOLDS, kind) || POLICY_DATA_KINDS.test(kind);
}

/** The row changes `event` at `index` makes, given the projection before it; throws FoldRefused or RowNeeded. */
export function foldEvent(event: LedgerEvent, index: number, view: ProjectionView): RowChange[] {
  const fold = Object.hasOwn(FOLDS, event.kind) ? FOLDS[event.kind] : undefined;
  const changes = fold ? fold(event, index, view) : [];
  return POLICY_DATA_KINDS.test(event.kind) ? [...changes, bumpPolicyDataVersion(view)] : changes;
}
