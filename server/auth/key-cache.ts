// Published public keys (ours and other processes'), cached so token checks and JWKS reads don't hit the store each time.
import type { JWK } from "jose";
import { MaestroError } from "../../common/errors.ts";

const FRESH_MS = 30_000;
/** A token naming an unknown kid triggers at most one reload per this interval (no reload storms from junk tokens). */
const MISS_RELOAD_MS = 2_000;

export interface PublicKeyCache {
  /** Keys known now; reloads when stale, or when `wantKid` is unknown (rate-limited). */
  keys(wantKid?: string): Promise<JWK[]>;
}

export function publicKeyCache(load: () => Promise<JWK[]>, local: JWK[]): PublicKeyCache {
  let cached: JWK[] | undefined;
  let loadedAt = 0;
  let lastMissReload = 0;
  // One reload at a time: requests that find the keys stale while a reload runs wait for it instead of each
  // starting their own (a JWKS read per request the moment the keys went stale, under load).
  let reloading: Promise<void> | undefined;
  const merged = (fromStore: JWK[]) => [...local, ...fromStore.filter((k) => !local.some((l) => l.kid === k.kid))];
  const reload = (now: number) =>
    (reloading ??= load()
      .then((fromStore) => {
        cached = merged(fromStore);
        loadedAt = now;
      })
      .finally(() => (reloading = undefined)));
  return {
    async keys(wantKid) {
      const now = Date.now();
      const stale = !cached || now - loadedAt > FRESH_MS;
      const miss = wantKid !== undefined && !(cached ?? local).some((k) => k.kid === wantKid) && now - lastMissReload > MISS_RELOAD_MS;
      if (stale || miss) {
        if (miss) lastMissReload = now;
        try {
          await reload(now);
        } catch (err) {
          // Our own keys need no store; other processes' keys are served from the last good load.
          if (!cached && wantKid !== undefined && !local.some((k) => k.kid === wantKid)) {
            throw new MaestroError("ledger_unavailable", "the key store is unavailable", { cause: err });
          }
        }
      }
      return cached ?? local;
    },
  };
}
