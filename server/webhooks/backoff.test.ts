import { describe, expect, it } from "vitest";
import { DEFAULT_RETRY, givenUp, retryDelayMs } from "./backoff.ts";

describe("retry schedule", () => {
  it("doubles each attempt, between half and the whole step", () => {
    const policy = { baseMs: 1000, maxMs: 60_000, windowMs: 1 };
    expect(retryDelayMs(1, policy, () => 0)).toBe(500);
    expect(retryDelayMs(1, policy, () => 1)).toBe(1000);
    expect(retryDelayMs(3, policy, () => 0)).toBe(2000);
    expect(retryDelayMs(3, policy, () => 1)).toBe(4000);
    expect(retryDelayMs(40, policy, () => 1)).toBe(60_000);
  });

  it("keeps retrying for at least 24 hours by default", () => {
    expect(DEFAULT_RETRY.windowMs).toBeGreaterThanOrEqual(24 * 3600_000);
    const first = new Date("2026-12-03T00:00:00Z");
    expect(givenUp(first, new Date("2026-12-04T00:00:00Z"), DEFAULT_RETRY)).toBe(false);
    expect(givenUp(first, new Date("2026-12-04T01:00:00Z"), DEFAULT_RETRY)).toBe(true);
  });

  it("needs enough attempts to span the window", () => {
    let waited = 0;
    let attempts = 0;
    while (waited < DEFAULT_RETRY.windowMs) waited += retryDelayMs(++attempts, DEFAULT_RETRY, () => 1);
    expect(attempts).toBeGreaterThan(20);
  });
});
