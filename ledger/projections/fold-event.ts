// The one fold per event kind: the writer applies it inside the append's transaction, the verifier at replay.
import type { LedgerEvent } from "../event/envelope.ts";
import { foldHoldCleared, foldHoldPlaced } from "./hold-folds.ts";
import { foldDecision, foldOutcome, foldRunsetRegistered } from "./mediator-folds.ts";
import type { ProjectionView, RowChange } from "./row-change.ts";

type Fold = (event: LedgerEvent, index: number, view: ProjectionView) => RowChange[];

const FOLDS: Record<string, Fold> = {
  decision: foldDecision,
  outcome: foldOutcome,
  "runset.registered": foldRunsetRegistered,
  "hold.placed": foldHoldPlaced,
  "hold.cleared": foldHoldCleared,
};

/** Whether events of this kind change projection rows (every other kind changes none). */
export function hasFold(kind: string): boolean {
  return Object.hasOwn(FOLDS, kind);
}

/** The row changes `event` at `index` makes, given the projection before it; throws FoldRefused or RowNeeded. */
export function foldEvent(event: LedgerEvent, index: number, view: ProjectionView): RowChange[] {
  const fold = hasFold(event.kind) ? FOLDS[event.kind] : undefined;
  return fold ? fold(event, index, view) : [];
}
