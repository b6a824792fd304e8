// The key cache reloads once for many concurrent callers, and with the store down fails only a kid it cannot know.
import type { JWK } from "jose";
import { describe, expect, it } from "vitest";
import { publicKeyCache } from "./key-cache.ts";

const ours: JWK = { kty: "OKP", crv: "Ed25519", x: "ours", kid: "ours" };
const theirs: JWK = { kty: "OKP", crv: "Ed25519", x: "theirs", kid: "theirs" };

function countingStore(keys: JWK[]) {
  const waiting: Array<() => void> = [];
  const store = {
    loads: 0,
    failing: false,
    /** Lets every load started so far finish. */
    release: () => waiting.splice(0).forEach((resolve) => resolve()),
    load: async () => {
      store.loads++;
      await new Promise<void>((resolve) => waiting.push(resolve));
      if (store.failing) throw new Error("store down");
      return keys;
    },
  };
  return store;
}

describe("publicKeyCache", () => {
  it("starts one reload for many concurrent callers, and all of them get its keys", async () => {
    const store = countingStore([theirs]);
    const cache = publicKeyCache(store.load, [ours]);
    const callers = Array.from({ length: 50 }, () => cache.keys("theirs"));
    await Promise.resolve();
    store.release();
    const results = await Promise.all(callers);
    expect(store.loads).toBe(1);
    for (const keys of results) expect(keys.map((k) => k.kid)).toEqual(["ours", "theirs"]);
  });

  it("with the store down, refuses another process's kid but still serves its own keys", async () => {
    const store = countingStore([theirs]);
    const cache = publicKeyCache(store.load, [ours]);
    store.failing = true;
    const first = cache.keys("theirs");
    await Promise.resolve();
    store.release();
    await expect(first).rejects.toThrow(/key store is unavailable/);
    // Our own kid needs no store.
    const own = cache.keys("ours");
    await Promise.resolve();
    store.release();
    expect((await own).map((k) => k.kid)).toEqual(["ours"]);
  });
});
