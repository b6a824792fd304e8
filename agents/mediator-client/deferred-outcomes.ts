// Outcome appends off the caller's critical path, without weakening what the next decision sees.
//
// A long-lived agent (the MCP proxy) need not wait for an outcome's durable append before handing
// the tool result back: the decision that allowed the call is already durable. What the next
// decision reads still comes first: a tainting outcome is awaited in line, and an outcome carrying
// spend (costUsd, a budget input) or what the tool read (`content`: a secret in it marks the session)
// is sent at once and awaited by the session's next mediate().
//
// Other outcomes change no policy input. They are held and ride in the session's next mediate()
// request (POST /v1/mediate's "outcomes", at most MAX_CARRIED of them), so the server commits them
// with that decision: sent on their own, an outcome's commit was still in flight when the next
// decision arrived, and that decision waited behind it (about one commit per proxied call,
// measured). With a client that cannot piggyback they are sent beside the next mediate() instead.
// Either way that mediate() resolves only once they are durable too, so a failed outcome fails that
// call (fail closed).
//
// The server commits a decision and the outcomes it carries all or nothing: a refused request (any
// 4xx, a 409 naming /outcomes/i/decisionId included) recorded neither, and one that failed in
// flight (timeout, 5xx) may have recorded both. The call fails either way (the caller never got a
// decision), and its batch is then sent on its own, where a refused outcome fails alone and one that
// did land answers "already has an outcome". A held outcome also goes out on its own after HOLD_MS
// or on flush(). Whatever cannot be ledgered fails the session's next call instead of being forgotten.
import { MaestroError } from "../../common/errors.ts";
import type { Decision, MediateCall, MediatorClient, Outcome, RunEvent } from "./mediator-client.ts";

export interface DeferredOutcomeClient extends MediatorClient {
  /** Resolves once every pending outcome is durable; rejects with the first failure. */
  flush(): Promise<void>;
}

/** How long a held outcome waits for the session's next decision before it is sent on its own. */
export const HOLD_MS = 20;

/** At most this many outcomes ride in one mediate request (schemas/mediate/tool-call.schema.json, outcomes.maxItems). */
export const MAX_CARRIED = 16;

interface Held {
  decisionId: string;
  outcome: Outcome;
}

export function deferOutcomes(
  inner: MediatorClient,
  sessionOf: (decisionId: string) => string | undefined,
  holdMs = HOLD_MS,
): DeferredOutcomeClient {
  const held = new Map<string, Held[]>();
  const timers = new Map<string, NodeJS.Timeout>();
  const pending = new Map<string, Set<Promise<unknown>>>();
  /** The subset of pending appends a decision must wait for (they carry spend, or are re-sent after a failed request). */
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

  /** Up to `max` of the session's held outcomes, oldest first; what is left keeps its hold timer. */
  const takeHeld = (session: string, max = Infinity): Held[] => {
    const all = held.get(session) ?? [];
    const batch = all.slice(0, max);
    if (all.length > batch.length) {
      held.set(session, all.slice(batch.length));
      return batch;
    }
    clearTimeout(timers.get(session));
    timers.delete(session);
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

  /** A batch whose request failed, each on its own; the session's next decision waits for them (and fails if one failed). */
  const resend = (session: string, batch: Held[]) => {
    for (const { decisionId, outcome } of batch) {
      const append = inner.recordOutcome(decisionId, outcome).catch((err: unknown) => {
        // The failed request did commit after all (it timed out, or its answer was lost): the outcome is durable.
        if (alreadyRecorded(err)) return { ledgerIndex: -1 };
        throw err;
      });
      track(session, append, true);
    }
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
      if (inner.piggybacksOutcomes) {
        const batch = takeHeld(call.session, MAX_CARRIED);
        if (batch.length === 0) return inner.mediate(call);
        try {
          return await inner.mediate(call, { outcomes: batch.map(({ decisionId, outcome }) => ({ decisionId, ...outcome })) });
        } catch (err) {
          resend(call.session, batch);
          throw err;
        }
      }
      const outcomes = sendHeld(call.session);
      const [decision] = await Promise.all([
        inner.mediate(call),
        outcomes.catch((err: unknown) => Promise.reject(takeFailure(call.session, err))),
      ]);
      return decision;
    },
    async recordOutcome(decisionId: string, outcome: Outcome) {
      const session = sessionOf(decisionId);
      if (outcome.taint || session === undefined) return inner.recordOutcome(decisionId, outcome);
      // Spend, and what a tool read (a secret in it marks the session), change what the next decision reads: sent at once
      // and awaited by it. Neither may ride in a decision's request, which carries plain outcomes only.
      if (outcome.costUsd || outcome.content !== undefined) {
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

/** The server's 409 for a second outcome of one decision (server/mediator/outcomes.ts); only a re-send can meet it here. */
function alreadyRecorded(err: unknown): boolean {
  return err instanceof MaestroError && err.code === "conflict" && err.message.includes("already has an outcome");
}
