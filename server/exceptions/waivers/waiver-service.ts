// Waivers: request → approve (security, never the requester; N distinct approvers) → active until expiry; revoke; expire at first use.
import { compileSchema, validated } from "../../../common/ajv.ts";
import { MaestroError } from "../../../common/errors.ts";
import type { EventInput } from "../../../ledger/event/envelope.ts";
import approveSchema from "../../../schemas/waiver/approve.schema.json" with { type: "json" };
import requestSchema from "../../../schemas/waiver/request.schema.json" with { type: "json" };
import revokeSchema from "../../../schemas/waiver/revoke.schema.json" with { type: "json" };
import { type Principal, sameSubject } from "../../auth/roles.ts";
import type { WaiversTable } from "./tables.ts";
import { type ExceptionDeps, ExceptionService } from "../exception-service.ts";
import { parseId, userActor } from "../transition.ts";
import type { WaiverRules } from "./waiver-rules.ts";
import { effectiveState, type WaiverApproval, type WaiverView, waiverView } from "./waiver-view.ts";

const checkRequest = compileSchema(requestSchema);
const checkApprove = compileSchema(approveSchema);
const checkRevoke = compileSchema(revokeSchema);

export interface WaiverRequest {
  capability: string;
  resource: string;
  agents?: string[];
  runsets?: string[];
  waives: string[];
  fingerprints?: string[];
  justification: string;
  durationSeconds: number;
  ticket?: string;
}

const SERVICE_ACTOR = { type: "service" as const, id: "maestro-waivers" };

export class WaiverService extends ExceptionService<WaiversTable> {
  readonly #rules: WaiverRules;

  constructor(deps: ExceptionDeps, rules: WaiverRules) {
    super(deps, "waiver", (db, id) => db.selectFrom("waivers").selectAll().where("id", "=", id).executeTakeFirst());
    this.#rules = rules;
  }

  async request(body: unknown, principal: Principal): Promise<WaiverView> {
    const input = validated<WaiverRequest>(checkRequest, body);
    if (input.fingerprints && !input.waives.includes("secret_detected")) {
      throw new MaestroError("invalid_field", "fingerprints narrow a waiver of secret_detected: add it to waives or drop them", {
        field: "/fingerprints",
      });
    }
    if (!input.agents && !input.runsets) {
      throw new MaestroError("invalid_field", "a waiver is scoped to agents or runsets (or both): give at least one", { field: "/agents" });
    }
    const rule = await this.#rules.rulesFor(input.capability);
    if (!rule.waivable)
      throw new MaestroError("invalid_field", `the policy does not allow waiving ${input.capability}`, { field: "/capability" });
    if (input.durationSeconds > rule.max_duration_seconds) {
      throw new MaestroError(
        "invalid_field",
        `durationSeconds ${input.durationSeconds} exceeds the policy maximum of ${rule.max_duration_seconds} seconds for ${input.capability}`,
        { field: "/durationSeconds", details: { maxDurationSeconds: rule.max_duration_seconds } },
      );
    }
    // Separation of duties: at least one approver who is not the requester, whatever the policy says.
    const approvalsRequired = Math.max(1, rule.approvals_required);
    const id = crypto.randomUUID();
    const now = this.deps.clock.now();
    await this.deps.writer.append(
      {
        kind: "waiver.requested",
        actor: userActor(principal),
        subject: { type: "waiver", id },
        payload: {
          capability: input.capability,
          resource: input.resource,
          agents: input.agents ?? null,
          runsets: input.runsets ?? null,
          waives: input.waives,
          fingerprints: input.fingerprints ?? null,
          justification: input.justification,
          ticket: input.ticket ?? null,
          durationSeconds: input.durationSeconds,
          approvalsRequired,
          maxDurationSeconds: rule.max_duration_seconds,
        },
      },
      // Its fold (ledger/projections/waiver-folds.ts) writes the pending row.
    );
    return this.get(id, now);
  }

  async approve(rawId: string, body: unknown, principal: Principal): Promise<WaiverView> {
    const id = parseId(rawId);
    const input = validated<{ comment?: string }>(checkApprove, body ?? {});
    const now = this.deps.clock.now();
    const row = await this.row(id);
    if (sameSubject(row.requested_by, principal.sub)) {
      throw new MaestroError(
        "self_approval",
        `${principal.sub} requested waiver ${id} and cannot approve it; another security reviewer must`,
      );
    }
    const state = effectiveState(row, now);
    if (state === "revoked" || state === "expired" || state === "active") {
      throw new MaestroError("conflict", `waiver ${id} is ${state}; only a pending waiver can be approved`, { details: { state } });
    }
    const approvals = JSON.parse(row.approvals) as WaiverApproval[];
    if (state === "approved") return this.#activate(row, now); // a final approval whose activation was interrupted
    if (approvals.some((a) => sameSubject(a.by, principal.sub))) {
      throw new MaestroError(
        "conflict",
        `${principal.sub} already approved waiver ${id}; it needs ${row.approvals_required} distinct approvers (subjects compare as people: case, width, invisible characters and look-alike letters do not count)`,
      );
    }
    // The policy may have changed since the request (a bundle activated meanwhile): its limits now are the ones that
    // hold. A waiver the policy no longer allows is not approved; one that now needs more approvers waits for them.
    const rule = await this.#rules.rulesFor(row.capability);
    if (!rule.waivable || row.duration_seconds > rule.max_duration_seconds) {
      throw new MaestroError(
        "conflict",
        rule.waivable
          ? `waiver ${id} asks for ${row.duration_seconds} s; the active policy allows at most ${rule.max_duration_seconds} s for ${row.capability}: request it again`
          : `the active policy no longer allows waiving ${row.capability}`,
        { details: { maxDurationSeconds: rule.max_duration_seconds } },
      );
    }
    const required = Math.max(row.approvals_required, rule.approvals_required);
    const count = approvals.length + 1;
    const final = count >= required;
    const approved = {
      input: {
        kind: "waiver.approved",
        actor: userActor(principal),
        subject: { type: "waiver", id },
        payload: {
          approvals: count,
          approvalsRequired: required,
          final,
          comment: input.comment ?? null,
          fromVersion: row.version,
        },
      },
    };
    // Its fold adds the approver to the row, moving it on from the version it was decided on (else 409).
    if (!final) {
      await this.deps.writer.append(approved.input);
      return this.get(id, now);
    }
    // The final approval and the activation it causes commit together: a revoke can come before both or after
    // both, never between (which would leave an approved waiver and a 409 for the approver).
    const approvers = [...approvals.map((a) => a.by), principal.sub];
    await this.deps.writer.appendAll([approved, this.#activation(row, now, approvers, row.version + 1)]);
    return this.get(id, now);
  }

  /** Active from the final approval until approval time + the requested duration. */
  async #activate(row: WaiversTable, now: Date): Promise<WaiverView> {
    const approvers = (JSON.parse(row.approvals) as WaiverApproval[]).map((a) => a.by);
    await this.deps.writer.append(this.#activation(row, now, approvers, row.version).input);
    return this.get(row.id, now);
  }

  #activation(row: WaiversTable, now: Date, approvers: string[], fromVersion: number): { input: EventInput } {
    const expiresAt = new Date(now.getTime() + row.duration_seconds * 1000);
    return {
      input: {
        kind: "waiver.activated",
        actor: SERVICE_ACTOR,
        subject: { type: "waiver", id: row.id },
        payload: { activatedAt: now.toISOString(), expiresAt: expiresAt.toISOString(), approvers, fromVersion },
      },
    };
  }

  async revoke(rawId: string, body: unknown, principal: Principal): Promise<WaiverView> {
    const id = parseId(rawId);
    const input = validated<{ reason: string }>(checkRevoke, body);
    const now = this.deps.clock.now();
    const row = await this.row(id);
    const state = effectiveState(row, now);
    if (state === "revoked" || state === "expired") {
      throw new MaestroError("conflict", `waiver ${id} is already ${state}`, { details: { state } });
    }
    await this.deps.writer.append(
      {
        kind: "waiver.revoked",
        actor: userActor(principal),
        subject: { type: "waiver", id },
        payload: { reason: input.reason, previousState: row.state, fromVersion: row.version },
      },
      // Its fold revokes the row, moving it on from the version it was decided on (else 409).
    );
    return this.get(id, now);
  }

  /** Records `waiver.expired` for an active waiver found past its expiry (no background job: first use after). */
  async expire(row: WaiversTable, now: Date, trigger: string): Promise<void> {
    await this.deps.writer.append(
      {
        kind: "waiver.expired",
        actor: SERVICE_ACTOR,
        subject: { type: "waiver", id: row.id },
        payload: { expiresAt: new Date(row.expires_at!).toISOString(), observedAt: now.toISOString(), trigger, fromVersion: row.version },
      },
      // Its fold marks the row expired, moving it on from the version it was decided on (else 409).
    );
  }

  async list(filter: { state?: string; capability?: string } = {}, now = this.deps.clock.now()): Promise<WaiverView[]> {
    let query = this.db.selectFrom("waivers").selectAll().orderBy("requested_at", "desc").orderBy("id");
    if (filter.capability) query = query.where("capability", "=", filter.capability);
    const rows = await query.execute();
    const size = await this.treeSize();
    return rows.map((r) => waiverView(r, now, size)).filter((v) => !filter.state || v.state === filter.state);
  }

  async get(rawId: string, now = this.deps.clock.now()) {
    const row = await this.row(rawId);
    const uses = await this.db
      .selectFrom("waiver_uses")
      .select(["decision_id", "used_at"])
      .where("waiver_id", "=", row.id)
      .orderBy("used_at")
      .limit(1000)
      .execute();
    const view = waiverView(row, now, await this.treeSize());
    return {
      ...view,
      uses: { ...view.uses, decisions: uses.map((u) => ({ decisionId: u.decision_id, usedAt: new Date(u.used_at).toISOString() })) },
    };
  }
}
