// Break-glass: an admin's emergency override (≤ 1 hour, counter-claim, compensating controls, review deadline),
// closed by a security reviewer's finding; unreviewed past its deadline it is flagged overdue.
import { compileSchema, validated } from "../../../common/ajv.ts";
import { MaestroError } from "../../../common/errors.ts";
import openSchema from "../../../schemas/breakglass/open.schema.json" with { type: "json" };
import reviewSchema from "../../../schemas/breakglass/review.schema.json" with { type: "json" };
import { type Principal, sameSubject } from "../../auth/roles.ts";
import { type ExceptionDeps, ExceptionService } from "../exception-service.ts";
import { checkScopeId, iso, parseId, parseRefs, userActor, withProofLinks } from "../transition.ts";
import type { BreakglassTable } from "./tables.ts";

const checkOpen = compileSchema(openSchema);
const checkReview = compileSchema(reviewSchema);

/** The bound: an override lasts at most one hour. */
export const MAX_BREAKGLASS_SECONDS = 3600;
/** A review deadline further out than this is not a deadline. */
export const MAX_REVIEW_WINDOW_SECONDS = 7 * 24 * 3600;

export interface BreakglassScope {
  type: "all" | "runset" | "agent";
  id?: string;
  capabilities?: string[];
}

interface OpenInput {
  counterClaim: string;
  compensatingControls: string[];
  reviewDeadline: string;
  durationSeconds?: number;
  scope: BreakglassScope;
}

export class BreakglassService extends ExceptionService<BreakglassTable> {
  constructor(deps: ExceptionDeps) {
    super(deps, "break-glass", (db, id) => db.selectFrom("breakglass").selectAll().where("id", "=", id).executeTakeFirst());
  }

  async open(body: unknown, principal: Principal) {
    const input = validated<OpenInput>(checkOpen, body);
    const { scope } = input;
    checkScopeId(scope, `the ${scope.type} name`);
    const now = this.deps.clock.now();
    const deadline = new Date(input.reviewDeadline);
    // RFC 3339 (and ajv's date-time) admit a leap second, "…T23:59:60Z", which Date cannot represent.
    if (Number.isNaN(deadline.getTime())) {
      throw new MaestroError("invalid_field", "reviewDeadline is not a representable time (a leap second?)", { field: "/reviewDeadline" });
    }
    if (deadline.getTime() <= now.getTime())
      throw new MaestroError("invalid_field", "reviewDeadline must be in the future", { field: "/reviewDeadline" });
    if (deadline.getTime() > now.getTime() + MAX_REVIEW_WINDOW_SECONDS * 1000) {
      throw new MaestroError("invalid_field", `reviewDeadline must be within ${MAX_REVIEW_WINDOW_SECONDS / 86400} days`, {
        field: "/reviewDeadline",
      });
    }
    const expiresAt = new Date(now.getTime() + (input.durationSeconds ?? MAX_BREAKGLASS_SECONDS) * 1000);
    const id = crypto.randomUUID();
    await this.deps.writer.append(
      {
        kind: "breakglass.opened",
        actor: userActor(principal),
        subject: { type: "breakglass", id },
        payload: {
          counterClaim: input.counterClaim,
          compensatingControls: input.compensatingControls,
          reviewDeadline: deadline.toISOString(),
          expiresAt: expiresAt.toISOString(),
          scope,
        },
      },
      // Its fold (ledger/projections/breakglass-folds.ts) writes the open row.
    );
    return this.get(id);
  }

  /** Closes the override (it stops applying at once) with a finding; never by the admin who opened it. */
  async review(rawId: string, body: unknown, principal: Principal) {
    const id = parseId(rawId);
    const input = validated<{ finding: string; verdict: "justified" | "unjustified" }>(checkReview, body);
    const row = await this.row(id);
    if (sameSubject(row.opened_by, principal.sub))
      throw new MaestroError("self_approval", `${principal.sub} opened break-glass ${id} and cannot review it`);
    if (row.state === "reviewed")
      throw new MaestroError("conflict", `break-glass ${id} was already reviewed by ${row.reviewed_by}`, { details: { state: row.state } });
    const now = this.deps.clock.now();
    const overdue = now.getTime() > new Date(row.review_deadline).getTime();
    await this.deps.writer.append(
      {
        kind: "breakglass.reviewed",
        actor: userActor(principal),
        subject: { type: "breakglass", id },
        payload: { finding: input.finding, verdict: input.verdict, reviewedLate: overdue, uses: row.use_count, fromVersion: row.version },
      },
      // Its fold closes the row, moving it on from the version it was decided on (else 409).
    );
    return this.get(id);
  }

  async list(filter: { state?: string; overdue?: boolean } = {}) {
    const now = this.deps.clock.now();
    let query = this.db.selectFrom("breakglass").selectAll().orderBy("opened_at", "desc").orderBy("id");
    if (filter.state) query = query.where("state", "=", filter.state as BreakglassTable["state"]);
    const size = await this.treeSize();
    const views = (await query.execute()).map((r) => breakglassView(r, now, size));
    return filter.overdue === undefined ? views : views.filter((v) => v.overdue === filter.overdue);
  }

  async get(rawId: string) {
    const row = await this.row(rawId);
    return breakglassView(row, this.deps.clock.now(), await this.treeSize());
  }

  /** For releases: the status of the break-glass entries their decisions cited (flag every overdue one). */
  async flags(ids: string[]) {
    if (ids.length === 0) return [];
    const now = this.deps.clock.now();
    const rows = await this.db.selectFrom("breakglass").selectAll().where("id", "in", ids).execute();
    return rows.map((r) => ({
      id: r.id,
      state: r.state,
      overdue: isOverdue(r, now),
      reviewDeadline: iso(r.review_deadline),
      verdict: r.verdict,
    }));
  }

  /** Open, unexpired overrides in the shape the policy reads (policies/rego/match.rego: active_breakglass). */
  async activeForPolicy(now: Date) {
    const rows = await this.db.selectFrom("breakglass").selectAll().where("state", "=", "open").where("expires_at", ">", now).execute();
    return rows.map((r) => ({
      id: r.id,
      opened_by: r.opened_by,
      expires_at: new Date(r.expires_at).toISOString(),
      scope: JSON.parse(r.scope) as BreakglassScope,
    }));
  }
}

function isOverdue(row: BreakglassTable, now: Date): boolean {
  return row.state === "open" && now.getTime() > new Date(row.review_deadline).getTime();
}

export function breakglassView(row: BreakglassTable, now: Date, treeSize: number) {
  return {
    id: row.id,
    state: row.state,
    active: row.state === "open" && new Date(row.expires_at).getTime() > now.getTime(),
    overdue: isOverdue(row, now),
    openedBy: row.opened_by,
    openedAt: iso(row.opened_at),
    expiresAt: iso(row.expires_at),
    reviewDeadline: iso(row.review_deadline),
    counterClaim: row.counter_claim,
    compensatingControls: JSON.parse(row.compensating_controls) as string[],
    scope: JSON.parse(row.scope) as BreakglassScope,
    reviewedBy: row.reviewed_by,
    reviewedAt: iso(row.reviewed_at),
    finding: row.finding,
    verdict: row.verdict,
    uses: { count: row.use_count },
    ledger: withProofLinks(parseRefs(row.ledger_refs), treeSize),
  };
}
