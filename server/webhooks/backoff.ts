// When to try a failed delivery again: exponential backoff with jitter, and when to give up (pure).

export interface RetryPolicy {
  /** Delay after the first failure, in ms. */
  baseMs: number;
  /** No single wait is longer than this. */
  maxMs: number;
  /** A delivery failing for longer than this goes to the dead-letter list (the issue asks for at least 24 h). */
  windowMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { baseMs: 5_000, maxMs: 60 * 60_000, windowMs: 25 * 60 * 60_000 };

/**
 * "Equal jitter" (half fixed, half random): receivers that fail together do not come back to a synchronized storm,
 * and every wait is still at least half the exponential step, so the schedule keeps its shape.
 * https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/
 */
export function retryDelayMs(attempt: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const step = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.min(Math.max(attempt - 1, 0), 30));
  return Math.round(step / 2 + random() * (step / 2));
}

/** Whether a delivery that first failed at `firstFailure` should stop being retried at `now`. */
export function givenUp(firstFailure: Date, now: Date, policy: RetryPolicy): boolean {
  return now.getTime() - firstFailure.getTime() >= policy.windowMs;
}
