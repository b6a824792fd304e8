// Auditor holds: place on a scope (a release, a repository, everything) with a reason; clear with a reason. Both ledgered.
import { compileSchema, validated } from "../../../common/ajv.ts";
import {
  canonicalRelease,
  canonicalRepository,
  releaseOrRaw,
  repositoryOrRaw,
  ResourceProblem,
} from "../../../common/canonical-resource.ts";
import { MaestroError } from "../../../common/errors.ts";
import clearSchema from "../../../schemas/hold/clear.schema.json" with { type: "json" };
import placeSchema from "../../../schemas/hold/place.schema.json" with { type: "json" };
import type { Principal } from "../../auth/roles.ts";
import { type ExceptionDeps, ExceptionService } from "../exception-service.ts";
import { checkScopeId, iso, parseId, parseRefs, userActor, withProofLinks } from "../transition.ts";
import type { HoldsTable } from "./tables.ts";

const checkPlace = compileSchema(placeSchema);
const checkClear = compileSchema(clearSchema);

export interface HoldScope {
  type: "release" | "repository" | "all";
  id?: string;
}

export class HoldService extends ExceptionService<HoldsTable> {
  constructor(deps: ExceptionDeps) {
    super(deps, "hold", (db, id) => db.selectFrom("holds").selectAll().where("id", "=", id).executeTakeFirst());
  }

  async place(body: unknown, principal: Principal) {
    const input = validated<{ scope: HoldScope; reason: string }>(checkPlace, body);
    checkScopeId(input.scope, input.scope.type === "release" ? "the release id, e.g. owner/repo@1.2.0" : "owner/repo");
    const scope = canonicalScope(input.scope);
    const id = crypto.randomUUID();
    await this.deps.writer.append(
      {
        kind: "hold.placed",
        actor: userActor(principal),
        subject: { type: "hold", id },
        // The canonical scope is what the policy compares; the id as the auditor typed it is kept beside it.
        payload: { scope, reason: input.reason, ...(input.scope.id !== scope.id && { requestedScopeId: input.scope.id }) },
      },
      // Its fold (ledger/projections/hold-folds.ts) writes the active row.
    );
    return this.get(id);
  }

  async clear(rawId: string, body: unknown, principal: Principal) {
    const id = parseId(rawId);
    const input = validated<{ reason: string }>(checkClear, body);
    const row = await this.row(id);
    if (row.state === "cleared")
      throw new MaestroError("conflict", `hold ${id} was already cleared by ${row.cleared_by}`, { details: { state: row.state } });
    await this.deps.writer.append(
      {
        kind: "hold.cleared",
        actor: userActor(principal),
        subject: { type: "hold", id },
        payload: { reason: input.reason, fromVersion: row.version },
      },
      // Its fold moves the row on from `fromVersion`, or refuses the append (409) if a concurrent clear won.
    );
    return this.get(id);
  }

  async list(filter: { state?: string } = {}) {
    let query = this.db.selectFrom("holds").selectAll().orderBy("placed_at", "desc").orderBy("id");
    if (filter.state) query = query.where("state", "=", filter.state as HoldsTable["state"]);
    const rows = await query.execute();
    const size = await this.treeSize();
    return rows.map((r) => holdView(r, size));
  }

  async get(rawId: string) {
    return holdView(await this.row(rawId), await this.treeSize());
  }

  /** Active holds in the shape the policy reads (policies/rego/match.rego: matching_holds). */
  async activeForPolicy() {
    const rows = await this.db.selectFrom("holds").selectAll().where("state", "=", "active").orderBy("placed_at").execute();
    return rows.map((r) => ({ id: r.id, scope: policyScopeOf(r), reason: r.reason, placed_by: r.placed_by }));
  }
}

function scopeOf(row: HoldsTable): HoldScope {
  return row.scope_id === null ? { type: row.scope_type } : { type: row.scope_type, id: row.scope_id };
}

/**
 * A hold scope in the canonical identity calls are compared on (common/canonical-resource.ts): `acme/App` holds
 * acme/app, and a scope outside the grammar is refused, since it could match no call. A release scope must be
 * owner/repo@version, what release.publish is decided on; any other id (say a release record's own id) would be
 * accepted, explained as blocking, and block nothing.
 */
function canonicalScope(scope: HoldScope): HoldScope {
  if (scope.type === "all") return scope;
  if (scope.type === "repository" && scope.id!.includes("@")) {
    throw new MaestroError("invalid_field", "a repository scope is owner/repo without @version; use scope type release for one release", {
      field: "/scope/id",
    });
  }
  try {
    return { type: scope.type, id: scope.type === "release" ? canonicalRelease(scope.id!).canonical : canonicalRepository(scope.id!) };
  } catch (err) {
    if (!(err instanceof ResourceProblem)) throw err;
    const shape = scope.type === "release" ? "owner/repo@version, e.g. acme/api@1.2.0" : "owner/repo, e.g. acme/api";
    throw new MaestroError("invalid_field", `a ${scope.type} scope is ${shape}: ${err.message}`, { field: "/scope/id", cause: err });
  }
}

/** Rows placed before scopes were canonical are read canonically too, so they keep matching every spelling. */
function policyScopeOf(row: HoldsTable): HoldScope {
  if (row.scope_id === null) return { type: row.scope_type };
  return { type: row.scope_type, id: row.scope_type === "release" ? releaseOrRaw(row.scope_id) : repositoryOrRaw(row.scope_id) };
}

function describeScope(scope: HoldScope): string {
  if (scope.type === "all") return "every release";
  if (scope.type === "release") return `release ${scope.id}`;
  return `every release of repository ${scope.id}`;
}

/** What an auditor (or a blocked engineer) needs: what is blocked, who to contact, what clears it. */
export function holdView(row: HoldsTable, treeSize: number) {
  const scope = scopeOf(row);
  return {
    id: row.id,
    state: row.state,
    scope,
    reason: row.reason,
    placedBy: row.placed_by,
    placedAt: iso(row.placed_at),
    clearedBy: row.cleared_by,
    clearedAt: iso(row.cleared_at),
    clearReason: row.clear_reason,
    explanation: {
      blocks:
        row.state === "active"
          ? `release.* decisions for ${describeScope(scope)} are denied (reason code hold_active)`
          : "nothing (cleared)",
      contact: row.placed_by,
      clears: `an auditor clears it with a reason: maestro hold clear ${row.id} --reason "…" (POST /v1/holds/${row.id}/clear)`,
    },
    ledger: withProofLinks(parseRefs(row.ledger_refs), treeSize),
  };
}
