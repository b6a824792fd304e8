// Folds of policy data: the version cached policy inputs are checked against moves with every event that changes what
// they would return, and an activated bundle's bytes are stored under the digest its `policy.activated` event names.
import type { LedgerEvent } from "../event/envelope.ts";
import { FoldRefused, type ProjectionView, type RowChange } from "./row-change.ts";

/** Event kinds whose commit changes what cached policy inputs (waivers, holds, break-glass, run-sets, the policy) return. */
export const POLICY_DATA_KINDS = /^(waiver|hold|breakglass|runset|policy)\./;

/** One more policy-data event: policy_data_version counts them, so a cache keyed on it is stale once one commits. */
export function bumpPolicyDataVersion(view: ProjectionView): RowChange {
  const key = { id: 1 };
  const row = view.get("policy_data_version", key);
  if (row === null) throw new FoldRefused("missing", "policy_data_version has no row");
  return { op: "update", table: "policy_data_version", key, values: { version: Number(row.version) + 1 } };
}

/** A bundle activated by someone (not the committed one, nor one named at start) is stored, content-addressed, once. */
export function foldPolicyActivated(event: LedgerEvent, _index: number, view: ProjectionView): RowChange[] {
  const p = event.payload as { digest?: string; source?: string };
  if (p.source !== "activated" || typeof p.digest !== "string") return [];
  const key = { digest: p.digest };
  if (view.get("policy_bundles", key) !== null) return [];
  return [{ op: "insert", table: "policy_bundles", key, values: { bytes: p.digest } }];
}
