// How a run waits on require_approval: re-ask the mediator until a person's approval (a waiver) turns it into allow or deny, or time runs out.
import { type Clock, systemClock } from "../../common/clock.ts";
import type { Decision, MediateCall, MediatorClient } from "./mediator-client.ts";

export interface ApprovalWait {
  /**
   * The final decision once approved or refused, "timeout", or "cancelled" once `signal` fires while the call is still
   * pending (a decision that arrives after it is returned as is: the caller must not run an allowed tool then).
   */
  wait(call: MediateCall, pending: Decision, signal?: AbortSignal): Promise<Decision | "timeout" | "cancelled">;
}

export interface PollOptions {
  intervalMs?: number;
  timeoutMs?: number;
  clock?: Clock;
  /** Injected so tests advance a ManualClock instead of sleeping; resolves early once `signal` fires. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

const realSleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });

/**
 * The fixed contract has no "is decision X approved yet?" route, so the wait re-mediates the same call:
 * an approval is a waiver lifting approval_required, and the next decision cites it. Every poll is a
 * ledgered decision, which keeps the approval's effect on the record (and is why the interval is coarse).
 */
export function pollApproval(mediator: MediatorClient, options: PollOptions = {}): ApprovalWait {
  const intervalMs = options.intervalMs ?? 5_000;
  const timeoutMs = options.timeoutMs ?? 10 * 60_000;
  const clock = options.clock ?? systemClock;
  const sleep = options.sleep ?? realSleep;
  return {
    async wait(call, _pending, signal) {
      const deadline = clock.now().getTime() + timeoutMs;
      while (clock.now().getTime() < deadline) {
        await sleep(Math.min(intervalMs, Math.max(0, deadline - clock.now().getTime())), signal);
        // A cancelled call asks no more: each poll is a ledgered decision nobody would act on.
        if (signal?.aborted) return "cancelled";
        if (clock.now().getTime() >= deadline) break;
        const next = await mediator.mediate(call);
        if (next.decision !== "require_approval") return next;
        if (signal?.aborted) return "cancelled";
      }
      return "timeout";
    },
  };
}
