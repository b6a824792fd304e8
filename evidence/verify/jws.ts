// Detached-payload JWS (RFC 7515 Appendix F), EdDSA / Ed25519, for the export signature over the whole file (the
// events' own JWS are checked in batches by event-signatures.ts, with the same event-signature.ts check).
import { type EventKeys, prepareDetachedJws } from "../../ledger/verify/event-signature.ts";
import { jwsSigningInput } from "../../ledger/verify/jws-signing-input.ts";
import type { EventKey } from "./keys.ts";
import type { VerifyPlatform } from "./verify-platform.ts";

/**
 * The RFC 7515 check (EdDSA over "header.base64url(payload)") of ledger/verify's event-signature.ts, with the
 * Ed25519 work handed to the platform (libuv's thread pool on Node, WebCrypto in a browser) so it overlaps with this
 * thread's checks. jose's copies of a 16 MB export payload cost ~50 ms.
 * (Tests check that jose accepts what the ledger and the export sign, so this is the same standard check.)
 */
export class DetachedJwsVerifier {
  readonly #keys: EventKeys;
  readonly #jwks: Map<string, EventKey>;
  readonly #platform: VerifyPlatform;

  constructor(keys: Map<string, EventKey>, platform: VerifyPlatform) {
    this.#keys = new Map([...keys].map(([kid, k]) => [kid, k.key]));
    this.#jwks = keys;
    this.#platform = platform;
  }

  verify(jws: string, payload: Uint8Array): Promise<void> {
    // One large payload (the export signature covers the whole file): written straight into bytes, on both platforms.
    const prepared = prepareDetachedJws(payload, jws, this.#keys, jwsSigningInput);
    if (typeof prepared === "string") return Promise.reject(new Error(prepared));
    const { kid, signingInput, signature } = prepared;
    return this.#platform.ed25519(this.#jwks.get(kid)!.jwk.x!, signingInput, signature).then((ok) => {
      if (!ok) throw new Error(`JWS signature by ${kid} does not verify`);
    });
  }
}
