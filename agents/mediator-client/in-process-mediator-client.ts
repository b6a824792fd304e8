// MediatorClient over a server context in the same process (ctx.mediator), for the runner embedded in tests and tools.
import type { Decision, MediateCall, MediatorClient, Outcome, PiggybackedOutcome, RunEvent } from "./mediator-client.ts";

/** The slice of ctx.mediator this client needs (server/mediator owns the real type). */
export interface InProcessMediator {
  mediate(
    call: MediateCall & { outcomes?: PiggybackedOutcome[] },
    principal: AgentPrincipal,
  ): Promise<Decision & { allow?: boolean; waivers?: string[] }>;
  recordOutcome(decisionId: string, outcome: Outcome, principal: AgentPrincipal): Promise<{ ledgerIndex: number }>;
}

export interface AgentPrincipal {
  sub: string;
  role: "agent";
  issuer: string;
}

/** The slice of ctx.ledger.writer used to ledger run events (run.budget_exhausted, run.finished). */
export interface RunEventWriter {
  append(input: {
    kind: string;
    actor: { type: "agent"; id: string };
    subject: { type: "run"; id: string };
    payload: Record<string, unknown>;
  }): Promise<{ index: number }>;
}

export class InProcessMediatorClient implements MediatorClient {
  #mediator: InProcessMediator;
  #principal: AgentPrincipal;
  #writer?: RunEventWriter;

  constructor(mediator: InProcessMediator, principal: AgentPrincipal, writer?: RunEventWriter) {
    this.#mediator = mediator;
    this.#principal = principal;
    this.#writer = writer;
  }

  readonly piggybacksOutcomes = true;

  async mediate(call: MediateCall, options: { outcomes?: PiggybackedOutcome[] } = {}): Promise<Decision> {
    const outcomes = options.outcomes ?? [];
    const d = await this.#mediator.mediate(outcomes.length > 0 ? { ...call, outcomes } : call, this.#principal);
    return { decision: d.decision, reasons: d.reasons, decisionId: d.decisionId, ledgerIndex: d.ledgerIndex, policyDigest: d.policyDigest };
  }

  recordOutcome(decisionId: string, outcome: Outcome): Promise<{ ledgerIndex: number }> {
    return this.#mediator.recordOutcome(decisionId, outcome, this.#principal);
  }

  async reportRunEvent(event: RunEvent): Promise<boolean> {
    if (!this.#writer) return false;
    await this.#writer.append({
      kind: event.kind,
      actor: { type: "agent", id: this.#principal.sub },
      subject: { type: "run", id: event.runId },
      payload: event.payload,
    });
    return true;
  }
}
