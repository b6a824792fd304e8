// Waivers: request → approve (security, never the requester; N distinct approvers) → active until expiry; revoke; expire at first use.
import { compileSchema, validated } from "../../../common/ajv.ts";
import { MaestroError } from "../../../common/errors.ts";
import type { EventInput } from "../../../ledger/event/envelope.ts";
import approveSchema from "../../../schemas/waiver/approve.schema.json" with { type: "json" };
import requestSchema from "../../../schemas/waiver/request.schema.json" with { type: "json" };
import revokeSchema from "../../../schemas/waiver/revoke.schema.json" with { type: "json" };
import { type Principal, sameSubject } from "../../auth/roles.ts";
import type { WaiversTable, WaiverTables } from "./tables.ts";
import { type ExceptionAppendOptions, type ExceptionDeps, ExceptionService } from "../exception-service.ts";
import { applyTransition, parseId, userActor } from "../transition.ts";
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

export class WaiverService extends ExceptionService<WaiverTables, WaiversTable> {
  readonly #rules: WaiverRules;

  constructor(deps: ExceptionDeps, rules: WaiverRules) {
    super(deps, "waivers", "waiver");
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
      {
        apply: async (trx, event, index) => {
          await trx
            .insertInto("waivers")
            .values({
              id,
              state: "pending",
              version: 1,
              capability: input.capability,
              resource: input.resource,
              agents: input.agents ? JSON.stringify(input.agents) : null,
              runsets: input.runsets ? JSON.stringify(input.runsets) : null,
              waives: JSON.stringify(input.waives),
              fingerprints: input.fingerprints ? JSON.stringify(input.fingerprints) : null,
              justification: input.justification,
              ticket: input.ticket ?? null,
              duration_seconds: input.durationSeconds,
              approvals_required: approvalsRequired,
              approvals: "[]",
              requested_by: principal.sub,
              requested_at: new Date(event.time),
              use_count: 0,
              ledger_refs: JSON.stringify([{ kind: event.kind, index }]),
            })
            .execute();
        },
      },
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
      options: {
        apply: (trx: any, event: { kind: string; time: string }, index: number) =>
          applyTransition(
            trx,
            "waivers",
            id,
            row.version,
            { kind: event.kind, index },
            {
              state: final ? "approved" : "pending",
              approvals: JSON.stringify([...approvals, { by: principal.sub, at: event.time, ledgerIndex: index }]),
              approvals_required: required,
            },
          ),
      },
    };
    if (!final) {
      await this.deps.writer.append(approved.input, approved.options);
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
    const { input, options } = this.#activation(row, now, approvers, row.version);
    await this.deps.writer.append(input, options);
    return this.get(row.id, now);
  }

  #activation(
    row: WaiversTable,
    now: Date,
    approvers: string[],
    fromVersion: number,
  ): { input: EventInput; options: ExceptionAppendOptions } {
    const expiresAt = new Date(now.getTime() + row.duration_seconds * 1000);
    return {
      input: {
        kind: "waiver.activated",
        actor: SERVICE_ACTOR,
        subject: { type: "waiver", id: row.id },
        payload: { activatedAt: now.toISOString(), expiresAt: expiresAt.toISOString(), approvers, fromVersion },
      },
      options: {
        apply: (trx: any, event: { kind: string }, index: number) =>
          applyTransition(
            trx,
            "waivers",
            row.id,
            fromVersion,
            { kind: event.kind, index },
            { state: "active", activated_at: now, expires_at: expiresAt },
          ),
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
      {
        apply: (trx, event, index) =>
          applyTransition(
            trx,
            "waivers",
            id,
            row.version,
            { kind: event.kind, index },
            {
              state: "revoked",
              ended_by: principal.sub,
              ended_at: now,
              end_reason: input.reason,
            },
          ),
      },
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
      {
        apply: (trx, event, index) =>
          applyTransition(trx, "waivers", row.id, row.version, { kind: event.kind, index }, { state: "expired", ended_at: row.expires_at }),
      },
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
