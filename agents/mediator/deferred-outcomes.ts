// Outcome appends off the caller's critical path, without weakening what the next decision sees.
//
// A long-lived agent (the MCP proxy) need not wait for an outcome's durable append before handing
// the tool result back: the decision that allowed the call is already durable. Ordering still holds:
// the next mediate() of the same session waits for that session's pending outcomes (so taint and
// spend are recorded before the policy decides again), a tainting outcome is always awaited, and a
// failed outcome append fails the session's next call (fail closed) instead of being forgotten.
import type { Decision, MediateCall, MediatorClient, Outcome, RunEvent } from "./mediator-client.ts";

export interface DeferredOutcomeClient extends MediatorClient {
  /** Resolves once every pending outcome is durable; rejects with the first failure. */
  flush(): Promise<void>;
}

export function deferOutcomes(inner: MediatorClient, sessionOf: (decisionId: string) => string | undefined): DeferredOutcomeClient {
  const pending = new Map<string, Set<Promise<unknown>>>();
  const failures = new Map<string, unknown>();

  const settle = async (session: string) => {
    const waiting = pending.get(session);
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
      const set = pending.get(session) ?? new Set();
      pending.set(session, set);
      set.add(append);
      append.then(
        () => set.delete(append),
        (err) => {
          set.delete(append);
          failures.set(session, err);
        },
      );
      // The ledger index is not known yet; -1 says "pending" to callers that only log it.
      return { ledgerIndex: -1 };
    },
    async flush() {
      for (const session of [...pending.keys()]) await settle(session);
    },
  };
  if (inner.reportRunEvent) client.reportRunEvent = (event: RunEvent) => inner.reportRunEvent!(event);
  return client;
}
