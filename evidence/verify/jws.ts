// Detached-payload JWS (RFC 7515 Appendix F), EdDSA / Ed25519, for the export signature over the whole file (the
// events' own JWS are checked in batches by event-signatures.ts, with the same event-signature.ts check).
import { verify as cryptoVerify } from "node:crypto";
import { type EventKeys, prepareDetachedJws } from "../../ledger/verify/event-signature.ts";
import type { EventKey } from "./keys.ts";

/**
 * The RFC 7515 check (EdDSA over "header.base64url(payload)") of ledger/verify's event-signature.ts, with the
 * Ed25519 work queued on libuv's thread pool so it overlaps with the main thread's checks. jose's copies of a
 * 16 MB export payload cost ~50 ms.
 * (Tests check that jose accepts what the ledger and the export sign, so this is the same standard check.)
 */
export class DetachedJwsVerifier {
  readonly #keys: EventKeys;

  constructor(keys: Map<string, EventKey>) {
    this.#keys = new Map([...keys].map(([kid, k]) => [kid, k.key]));
  }

  verify(jws: string, payload: Uint8Array): Promise<void> {
    const prepared = prepareDetachedJws(payload, jws, this.#keys);
    if (typeof prepared === "string") return Promise.reject(new Error(prepared));
    const { kid, key, signingInput, signature } = prepared;
    return new Promise((resolve, reject) =>
      cryptoVerify(null, signingInput, key, signature, (err, ok) =>
        err || !ok ? reject(new Error(`JWS signature by ${kid} does not verify`)) : resolve(),
      ),
    );
  }
}
