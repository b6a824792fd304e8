// Shared by waivers, holds and break-glass: the helpers their requests and views use (ids, actors, scopes, proof links).
// Their rows are the folds of their events (ledger/projections), which apply a transition only to the version it was
// decided on.
import { MaestroError } from "../../common/errors.ts";
import { UUID } from "../../common/uuid.ts";
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
