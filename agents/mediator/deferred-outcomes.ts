// Outcome appends off the caller's critical path, without weakening what the next decision sees.
//
// A long-lived agent (the MCP proxy) need not wait for an outcome's durable append before handing
// the tool result back: the decision that allowed the call is already durable. What the next
// decision reads still comes first: a tainting outcome is awaited in line, and an outcome carrying
// spend (costUsd, a budget input) is sent at once and awaited by the session's next mediate().
//
// Other outcomes change no policy input. They are held and ride in the session's next mediate()
// request (POST /v1/mediate's "outcomes"), so the server commits them with that decision: sent on
// their own, an outcome's commit was still in flight when the next decision arrived, and that
// decision waited behind it (about one commit per proxied call, measured). With a client that
// cannot piggyback they are sent beside the next mediate() instead. Either way that mediate()
// resolves only once they are durable too, so a failed outcome fails that call (fail closed).
// A held outcome goes out on its own after HOLD_MS or on flush(); if that fails, the session's
// next call fails instead of the failure being forgotten.
import type { Decision, MediateCall, MediatorClient, Outcome, RunEvent } from "./mediator-client.ts";

export interface DeferredOutcomeClient extends MediatorClient {
  /** Resolves once every pending outcome is durable; rejects with the first failure. */
  flush(): Promise<void>;
}

/** How long a held outcome waits for the session's next decision before it is sent on its own. */
export const HOLD_MS = 20;

interface Held {
  decisionId: string;
  outcome: Outcome;
}

export function deferOutcomes(inner: MediatorClient, sessionOf: (decisionId: string) => string | undefined, holdMs = HOLD_MS): DeferredOutcomeClient {
  const held = new Map<string, Held[]>();
  const timers = new Map<string, NodeJS.Timeout>();
  const pending = new Map<string, Set<Promise<unknown>>>();
  /** The subset of pending appends a decision must wait for (they carry spend). */
  const blocking = new Map<string, Set<Promise<unknown>>>();
  const failures = new Map<string, unknown>();

  const track = (session: string, append: Promise<unknown>, blocks: boolean) => {
    const sets = [pending, ...(blocks ? [blocking] : [])].map((bySession) => {
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
  };

  const takeHeld = (session: string): Held[] => {
    clearTimeout(timers.get(session));
    timers.delete(session);
    const batch = held.get(session) ?? [];
    held.delete(session);
    return batch;
  };

  /** Sends the session's held outcomes; the promise settles when all are durable (rejects on the first failure). */
  const sendHeld = (session: string): Promise<unknown> => {
    const batch = takeHeld(session);
    const appends = batch.map(({ decisionId, outcome }) => inner.recordOutcome(decisionId, outcome));
    appends.forEach((append) => track(session, append, false));
    return Promise.all(appends);
  };

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
      if (inner.piggybacksOutcomes) return inner.mediate(call, { outcomes: takeHeld(call.session).map(({ decisionId, outcome }) => ({ decisionId, ...outcome })) });
      const outcomes = sendHeld(call.session);
      const [decision] = await Promise.all([inner.mediate(call), outcomes.catch((err: unknown) => Promise.reject(takeFailure(call.session, err)))]);
      return decision;
    },
    async recordOutcome(decisionId: string, outcome: Outcome) {
      const session = sessionOf(decisionId);
      if (outcome.taint || session === undefined) return inner.recordOutcome(decisionId, outcome);
      if (outcome.costUsd) {
        track(session, inner.recordOutcome(decisionId, outcome), true);
      } else {
        held.set(session, [...(held.get(session) ?? []), { decisionId, outcome }]);
        if (!timers.has(session)) {
          const timer = setTimeout(() => void sendHeld(session).catch(() => {}), holdMs);
          timer.unref?.(); // flush() on close sends what is left; a timer alone never keeps the process up
          timers.set(session, timer);
        }
      }
      // The ledger index is not known yet; -1 says "pending" to callers that only log it.
      return { ledgerIndex: -1 };
    },
    async flush() {
      const sending = [...held.keys()].map((session) => sendHeld(session).catch(() => {}));
      await Promise.all(sending);
      for (const session of [...pending.keys()]) await settle(session, true);
    },
  };

  /** A failure reported by this mediate() is consumed, so the session's following call is not failed for it again. */
  function takeFailure(session: string, err: unknown): unknown {
    if (failures.get(session) === err) failures.delete(session);
    return err;
  }

  if (inner.reportRunEvent) client.reportRunEvent = (event: RunEvent) => inner.reportRunEvent!(event);
  return client;
}
