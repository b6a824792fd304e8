// ProviderCache: reuse within a policy-data version, refresh on a new version, on expiry, and after a failure.
import { describe, expect, it } from "vitest";
import { ProviderCache, type PolicyInputProvider } from "./policy-input.ts";
import type { ToolCall } from "./types.ts";
import { itemAt, present } from "../../common/present.ts";

const call = { runset: "r", agent: "a", session: "s", tool: "t", capability: "repo.read", resource: "x", args: {} } as ToolCall;

function countingProvider(expiresAt = "2999-01-01T00:00:00Z", fail = false) {
  let calls = 0;
  const provider: PolicyInputProvider = {
    name: "counting",
    cacheKey: (c) => c.capability,
    async provide() {
      calls++;
      if (fail && calls === 1) throw new Error("store down");
      return {
        waivers: [
          {
            id: `w${calls}`,
            capability: "repo.read",
            resource: "**",
            agents: null,
            runsets: null,
            expires_at: expiresAt,
            waives: [],
            state: "active",
          },
        ],
      };
    },
  };
  return { provider, calls: () => calls };
}

describe("ProviderCache", () => {
  const now = new Date("2026-01-01T00:00:00Z");

  it("answers from cache within one version and asks again when the version moves", async () => {
    const cache = new ProviderCache();
    const p = countingProvider();
    await cache.get(1, p.provider, call, now);
    await cache.get(1, p.provider, call, now);
    expect(p.calls()).toBe(1);
    const fresh = await cache.get(2, p.provider, call, now);
    expect(p.calls()).toBe(2);
    expect(itemAt(present(fresh.waivers, "waivers"), 0, "waivers").id).toBe("w2");
  });

  it("asks again once an entry in the cached answer has expired", async () => {
    const cache = new ProviderCache();
    const p = countingProvider("2026-01-01T00:00:10Z");
    await cache.get(1, p.provider, call, now);
    await cache.get(1, p.provider, call, new Date("2026-01-01T00:00:09Z"));
    expect(p.calls()).toBe(1);
    await cache.get(1, p.provider, call, new Date("2026-01-01T00:00:10Z"));
    expect(p.calls()).toBe(2);
  });

  it("does not remember a failed read", async () => {
    const cache = new ProviderCache();
    const p = countingProvider(undefined, true);
    await expect(cache.get(1, p.provider, call, now)).rejects.toThrow("store down");
    await new Promise((r) => setTimeout(r, 0));
    await expect(cache.get(1, p.provider, call, now)).resolves.toMatchObject({ waivers: [{ id: "w2" }] });
  });

  it("never caches a provider without a cache key", async () => {
    const cache = new ProviderCache();
    const p = countingProvider();
    const uncached = { ...p.provider, cacheKey: undefined };
    await cache.get(1, uncached, call, now);
    await cache.get(1, uncached, call, now);
    expect(p.calls()).toBe(2);
  });
});
