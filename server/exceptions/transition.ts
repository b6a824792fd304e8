// Shared by waivers, holds and break-glass: ledgered state transitions (applied only to the version they were decided on)
// and the helpers their requests and views use (ids, actors, scopes, proof links).
import type { Transaction } from "kysely";
import { MaestroError } from "../../common/errors.ts";
import type { Actor } from "../../ledger/event/envelope.ts";
import type { Principal } from "../auth/roles.ts";

export interface LedgerRef {
  kind: string;
  index: number;
}

export function userActor(principal: Principal): Actor {
  return { type: "user", id: principal.sub, role: principal.role };
}

export function parseRefs(json: string): LedgerRef[] {
  return JSON.parse(json) as LedgerRef[];
}

/**
 * Runs inside the ledger writer's `apply` (serialized under its single-writer lock): moves row `id` of
 * `table` from `fromVersion` to the next version and records the event's ledger index. A row that moved on
 * since the caller read it (a concurrent approve/revoke/clear won) rejects the append: 409, nothing written.
 */
export async function applyTransition(
  trx: Transaction<any>,
  table: string,
  id: string,
  fromVersion: number,
  ref: LedgerRef,
  set: Record<string, unknown>,
): Promise<void> {
  const current = await trx.selectFrom(table).select(["version", "state", "ledger_refs"]).where("id", "=", id).executeTakeFirst();
  if (!current || current.version !== fromVersion) throw concurrentChange(table, id, current?.state);
  const result = await trx
    .updateTable(table)
    .set({ ...set, version: fromVersion + 1, ledger_refs: JSON.stringify([...parseRefs(current.ledger_refs), ref]) })
    .where("id", "=", id)
    .where("version", "=", fromVersion)
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) !== 1) throw concurrentChange(table, id, current.state);
}

function concurrentChange(table: string, id: string, state: string | undefined): MaestroError {
  const noun = { waivers: "waiver", holds: "hold", breakglass: "break-glass" }[table] ?? table;
  return new MaestroError(
    "conflict",
    `${noun} ${id} changed while this request was decided (it is now ${state ?? "gone"}); re-read it and try again`,
    {
      details: { state },
    },
  );
}

/** Inclusion-proof links for a client: fetch /v1/ledger/proofs/inclusion for each event at the current tree size. */
export function withProofLinks(refs: LedgerRef[], treeSize: number): Array<LedgerRef & { inclusionProof: string }> {
  return refs.map((r) => ({ ...r, inclusionProof: `/v1/ledger/proofs/inclusion?index=${r.index}&size=${treeSize}` }));
}

export function iso(value: Date | string | null): string | null {
  return value === null ? null : new Date(value).toISOString();
}

export function notFound(noun: string, id: string, field = "id"): MaestroError {
  return new MaestroError("not_found", `no ${noun} ${id}`, { field });
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function parseId(value: string | undefined, field = "id"): string {
  if (!value || !UUID.test(value)) throw new MaestroError("invalid_field", `${field} must be a UUID`, { field });
  return value;
}

/** A scope of type "all" names nothing; every other type names its target in scope.id (`hint` says what). */
export function checkScopeId(scope: { type: string; id?: string }, hint: string): void {
  if (scope.type === "all" && scope.id !== undefined)
    throw new MaestroError("invalid_field", "scope type all takes no id", { field: "/scope/id" });
  if (scope.type !== "all" && scope.id === undefined) {
    throw new MaestroError("invalid_field", `scope type ${scope.type} needs scope.id (${hint})`, { field: "/scope/id" });
  }
}
