// The mediator: parse → decide → durable signed append → respond. No ledger entry, no allow (fail closed).
import type { Kysely } from "kysely";
import { MaestroError } from "../../common/errors.ts";
import { compileSchema, validated } from "../../common/ajv.ts";
import type { Clock } from "../../common/clock.ts";
import { type AppendedEntry, type AppendOptions, type LedgerWriter, StaleReadError } from "../../ledger/append/ledger-writer.ts";
import type { EventInput } from "../../ledger/event/envelope.ts";
import { payloadField } from "../../ledger/event/entry-size.ts";
import { requireActsAs } from "../auth/agent-binding.ts";
import type { Principal } from "../auth/roles.ts";
import toolCallSchema from "../../schemas/mediate/tool-call.schema.json" with { type: "json" };
import outcomeSchema from "../../schemas/mediate/outcome.schema.json" with { type: "json" };
import { policyError } from "../policy/engine.ts";
import {
  checkContentBounds,
  checkContentSize,
  type ContentFacts,
  type ContentInspector,
  type LedgeredContent,
  ledgeredContent,
} from "../content/content-facts.ts";
import { type CallState, CallStateReader } from "./call-state.ts";
import { type CanonicalCall, canonicalCall, invalidResourceDecision } from "./canonical-call.ts";
import { buildPolicyInput, type PolicyInputProvider, ProviderCache } from "./policy-input.ts";
import type { SecretRedactor } from "./secret-redaction.ts";
import { requireSessionOwner } from "./session-owner.ts";
import {
  allowedDecision,
  appendOutcomeWithEffects,
  appendPlainOutcome,
  isPlainOutcome,
  plainOutcomeAppend,
  refusedCarriedOutcome,
} from "./outcomes.ts";
import type { PolicyEvaluator, MediationResult, OutcomeReport, PiggybackedOutcome, PolicyDecision, ToolCall } from "./types.ts";
import type { AppDb } from "../db/app-db.ts";
import { itemAt } from "../../common/present.ts";

/** Canonical size limit of a call's args: large payloads belong in the tool, not the ledger. */
export const MAX_ARGS_BYTES = 64 * 1024;

const checkToolCall = compileSchema(toolCallSchema);
const checkOutcome = compileSchema(outcomeSchema);

export interface MediatorDeps {
  db: Kysely<AppDb>;
  writer: LedgerWriter<AppDb>;
  clock: Clock;
  /** The active policy; read on every call so an atomic bundle swap takes effect at once. */
  policy: () => PolicyEvaluator;
  redactor: SecretRedactor;
  /** Scans a call's `content` in memory; only its facts reach the policy and the ledger. */
  content: ContentInspector;
  providers: readonly PolicyInputProvider[];
}

/** One append of a group that commits all or nothing: a decision and the outcomes it carries. */
type GroupMember = { input: EventInput; options: AppendOptions<AppDb> };

/** A decision made and durable: its entry first, then those of the outcomes it carried. */
type Decided = { entries: AppendedEntry[]; decision: PolicyDecision; policy: PolicyEvaluator };

export class Mediator {
  readonly #deps: MediatorDeps;
  readonly #cache = new ProviderCache();
  readonly #callState: CallStateReader;

  constructor(deps: MediatorDeps) {
    this.#deps = deps;
    this.#callState = new CallStateReader(deps.db, deps.writer);
  }

  async mediate(body: unknown, principal: Principal): Promise<MediationResult> {
    const { call, outcomes, content: text } = parseMediateRequest(body);
    // Before anything is read: a token naming an agent or run-set it is not bound to learns nothing of its state.
    requireActsAs(principal, call);
    const now = this.#deps.clock.now();
    const state = await storeUnavailableOnError(() => this.#callState.read(call));
    // Piggybacked outcomes are plain: the database checks their decisions. They commit in one group with the decision,
    // all or nothing: a refused outcome fails the request, and must not leave behind a decision the agent never got.
    const carried = outcomes.map(({ decisionId, ...outcome }, i) => {
      const member = plainOutcomeAppend(decisionId, outcome, principal, `/outcomes/${i}/decisionId`);
      return { ...member, options: { ...member.options, requestField: (p: string) => `/outcomes/${i}${payloadField(p)}` } };
    });
    // The policy, holds and grants see the canonical resource; a resource outside its grammar is denied unevaluated.
    const canonical = canonicalCall(call);
    const content = text === undefined ? null : await this.#inspect(canonical, text);
    let decided: Decided;
    try {
      decided = await this.#decideAndAppend(canonical, principal, now, state, carried, content);
    } catch (err) {
      if (carried.length === 0 || !(err instanceof MaestroError) || err.code !== "conflict") throw err;
      const ids = outcomes.map((o) => o.decisionId);
      throw (await storeUnavailableOnError(() => refusedCarriedOutcome(this.#deps.db, ids, principal))) ?? err;
    }
    const { entries, decision, policy } = decided;
    const entry = itemAt(entries, 0, "decision entries");
    const decisionId = entry.event.subject!.id;
    return {
      ...(outcomes.length > 0 && {
        outcomes: outcomes.map((o, i) => ({ decisionId: o.decisionId, ledgerIndex: itemAt(entries, i + 1, "decision entries").index })),
      }),
      decision: decision.decision,
      allow: decision.allow && decision.decision === "allow",
      reasons: decision.reasons,
      waivers: decision.waivers,
      decisionId,
      ledgerIndex: entry.index,
      policyDigest: policy.digest,
    };
  }

  /**
   * A write's content is judged as the file it writes. An install's content is the lock file it is about to write
   * (the client resolved it first): scanned as package-lock.json, with the package it installs looked up in it.
   */
  #inspect({ call, canonicalResource }: CanonicalCall, text: string): Promise<ContentFacts> {
    const resource = canonicalResource ?? call.resource;
    if (call.capability !== "package.install") return this.#deps.content.inspect(resource, call.args, text);
    return this.#deps.content.inspect("package-lock.json", call.args, text, resource.startsWith("npm:") ? resource.slice(4) : "");
  }

  /**
   * Decides on `state` and appends the decision. State kept from earlier reads may have changed by the commit: the
   * writer then refuses the append, and the call is decided again on a fresh read (which cannot be refused so).
   */
  async #decideAndAppend(
    canonical: CanonicalCall,
    principal: Principal,
    now: Date,
    state: CallState,
    carried: GroupMember[],
    content: ContentFacts | null,
  ): Promise<Decided> {
    requireSessionOwner(state.sessionOwner, principal, canonical.call.session);
    const policy = this.#deps.policy();
    let decision: PolicyDecision;
    // The project licence a lock file was judged against, ledgered with it: the release claim licences-compatible reads it.
    let projectLicence: string | null = null;
    if (canonical.policyCall) {
      const policyCall = canonical.policyCall;
      const input = await storeUnavailableOnError(() => buildPolicyInput(policyCall, now, state, this.#deps.providers, this.#cache));
      if (content) input.content = content;
      projectLicence = input.runset?.license ?? null;
      decision = evaluateSafely(policy, input);
    } else decision = invalidResourceDecision(canonical);
    try {
      const opensSession = state.sessionOwner === null;
      const ledgered = content && ledgeredContent(content, projectLicence);
      return {
        entries: await this.#appendDecision(canonical, principal, policy, decision, state.readAt, carried, opensSession, ledgered),
        decision,
        policy,
      };
    } catch (err) {
      if (!(err instanceof StaleReadError)) throw err;
      const fresh = await storeUnavailableOnError(() => this.#callState.read(canonical.call, { fresh: true }));
      return this.#decideAndAppend(canonical, principal, now, fresh, carried, content);
    }
  }

  #appendDecision(
    { call, canonicalResource }: CanonicalCall,
    principal: Principal,
    policy: PolicyEvaluator,
    decision: PolicyDecision,
    readAt: number | undefined,
    carried: GroupMember[],
    opensSession: boolean,
    content: LedgeredContent | null,
  ): Promise<AppendedEntry[]> {
    // Every object here lists its members in RFC 8785 order, so the event is canonicalized natively (canonical-json.ts).
    const redactedCall = {
      agent: call.agent,
      args: this.#deps.redactor.redact(call.args, decision.obligations?.secret_fields ?? []),
      // What the policy judged (null: outside the grammar); `resource` stays what the caller sent.
      canonicalResource,
      capability: call.capability,
      resource: call.resource,
      runset: call.runset,
      session: call.session,
      tool: call.tool,
    };
    const decisionAppend: GroupMember = {
      input: {
        kind: "decision",
        actor: { id: principal.sub, role: principal.role, type: "agent" },
        subject: { id: crypto.randomUUID(), type: "decision" },
        payload: {
          allow: decision.allow,
          breakglass: decision.obligations.breakglass ?? [],
          call: redactedCall,
          // The content's digest and findings; the text itself was scanned in memory and is gone.
          ...(content && { content }),
          decision: decision.decision,
          policy: { digest: policy.digest, revision: policy.revision },
          reasons: decision.reasons,
          waivers: decision.waivers,
        },
      },
      options: {
        // The decision's fold (ledger/projections) writes its mediations row, claims an unowned session for its token
        // and counts a use of each waiver and break-glass it cites. The owner read with the call state lets a decision
        // in an owned session citing none skip the read and the savepoint.
        known: opensSession ? undefined : [{ table: "sessions", key: { session: call.session }, row: { owner: principal.sub } }],
        readAt,
        // The request's fields sit under /payload/call in the event (args after redaction).
        requestField: (p) => (p.startsWith("/payload/call/") ? p.slice("/payload/call".length) : payloadField(p)),
        // A mediations row is read by outcomes, never by a decision's call state.
        leavesReadsValid: true,
        // A group fails as a whole when one carried outcome breaks a key; mediate() then finds which one.
        conflict:
          carried.length > 0
            ? () =>
                new MaestroError("conflict", "a carried outcome was refused; nothing of this request was recorded", { field: "/outcomes" })
            : undefined,
      },
    };
    return this.#deps.writer.appendAll([decisionAppend, ...carried]);
  }

  async recordOutcome(decisionId: string, body: unknown, principal: Principal): Promise<{ ledgerIndex: number }> {
    const { content: text, ...reported } = parseOutcome(body);
    if (text !== undefined) checkContentSize(text);
    if (text === undefined && isPlainOutcome(reported))
      return { ledgerIndex: (await appendPlainOutcome(this.#deps.writer, decisionId, reported, principal)).index };
    // A read is scanned only once the decision is known to be this token's own: no one else makes the server scan.
    const target = await storeUnavailableOnError(() => allowedDecision(this.#deps.db, decisionId, principal));
    // What was read is scanned in memory and dropped here; the event keeps its facts, and a finding marks the session.
    const outcome = text === undefined ? reported : { ...reported, content: await this.#deps.content.inspectRead(target.resource, text) };
    if (isPlainOutcome(outcome))
      return { ledgerIndex: (await appendPlainOutcome(this.#deps.writer, decisionId, outcome, principal)).index };
    return { ledgerIndex: (await appendOutcomeWithEffects(this.#deps.writer, target, outcome, principal)).index };
  }
}

/** A store failure while gathering inputs is an outage (503), not a bug (500): the call is not allowed either way. */
async function storeUnavailableOnError<T>(read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (err) {
    if (err instanceof MaestroError) throw err;
    throw new MaestroError("ledger_unavailable", "the store is unavailable; no decision can be made durable", { cause: err });
  }
}

/** An undefined, erroring or malformed evaluation is a deny with reason `policy_error`, never an allow. */
export function evaluateSafely(policy: PolicyEvaluator, input: Parameters<PolicyEvaluator["evaluateDecision"]>[0]): PolicyDecision {
  try {
    const decision = policy.evaluateDecision(input);
    if (decision && typeof decision.allow === "boolean" && Array.isArray(decision.reasons)) return decision;
    throw new Error("policy returned no decision document");
  } catch (err) {
    // As the engine's own failures: without a policy verdict on which arguments are secret, all of them are hashed.
    return policyError(`policy evaluation failed: ${err instanceof Error ? err.message : String(err)}`, input);
  }
}

/** POST /v1/mediate's body: the tool call, and any plain outcomes of earlier calls riding along. */
export function parseMediateRequest(body: unknown): { call: ToolCall; outcomes: PiggybackedOutcome[]; content?: string } {
  const {
    outcomes = [],
    content,
    ...call
  } = validated<ToolCall & { outcomes?: PiggybackedOutcome[]; content?: string }>(checkToolCall, body);
  if (content !== undefined) checkContentBounds(call.capability, content);
  // Same length as the RFC 8785 form for parsed JSON (only key order differs), without sorting on the hot path.
  if (Buffer.byteLength(JSON.stringify(call.args)) > MAX_ARGS_BYTES) {
    throw new MaestroError("invalid_field", `args exceed ${MAX_ARGS_BYTES} bytes`, { field: "/args" });
  }
  return { call, outcomes, content };
}

function parseOutcome(body: unknown): OutcomeReport {
  return validated<OutcomeReport>(checkOutcome, body);
}
