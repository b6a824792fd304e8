// Outcome appends off the caller's critical path, without weakening what the next decision sees.
//
// A long-lived agent (the MCP proxy) need not wait for an outcome's durable append before handing
// the tool result back: the decision that allowed the call is already durable. What the next
// decision reads still comes first: a tainting outcome is awaited in line, and an outcome carrying
// spend (costUsd, a budget input) is awaited by the session's next mediate(). Other outcomes change
// no policy input, so they commit alongside the next decision (group commit). A failed outcome
// append fails the session's next call (fail closed) instead of being forgotten.
import type { Decision, MediateCall, MediatorClient, Outcome, RunEvent } from "./mediator-client.ts";

export interface DeferredOutcomeClient extends MediatorClient {
  /** Resolves once every pending outcome is durable; rejects with the first failure. */
  flush(): Promise<void>;
}

export function deferOutcomes(inner: MediatorClient, sessionOf: (decisionId: string) => string | undefined): DeferredOutcomeClient {
  const pending = new Map<string, Set<Promise<unknown>>>();
  /** The subset of pending appends a decision must wait for (they carry spend). */
  const blocking = new Map<string, Set<Promise<unknown>>>();
  const failures = new Map<string, unknown>();

  const settle = async (session: string, all = false) => {
    const waiting = (all ? pending : blocking).get(session);
    if (waiting) await Promise.allSettled([...waiting]);
    const failure = failures.get(session);
    if (failure !== undefined) {
      failures.delete(session);
      throw failure;
    }
  };

  const client: DeferredOutcomeClient = {
    async mediate(call: MediateCall): Promise<Decision> {
      await settle(call.session);
      return inner.mediate(call);
    },
    async recordOutcome(decisionId: string, outcome: Outcome) {
      const session = sessionOf(decisionId);
      if (outcome.taint || session === undefined) return inner.recordOutcome(decisionId, outcome);
      const append = inner.recordOutcome(decisionId, outcome);
      const sets = [pending, ...(outcome.costUsd ? [blocking] : [])].map((bySession) => {
        const set = bySession.get(session) ?? new Set<Promise<unknown>>();
        bySession.set(session, set);
        set.add(append);
        return set;
      });
      append.then(
        () => sets.forEach((set) => set.delete(append)),
        (err) => {
          sets.forEach((set) => set.delete(append));
          failures.set(session, err);
        },
      );
      // The ledger index is not known yet; -1 says "pending" to callers that only log it.
      return { ledgerIndex: -1 };
    },
    async flush() {
      for (const session of [...pending.keys()]) await settle(session, true);
    },
  };
  if (inner.reportRunEvent) client.reportRunEvent = (event: RunEvent) => inner.reportRunEvent!(event);
  return client;
}
