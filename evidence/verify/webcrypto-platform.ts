// The evidence verifier on WebCrypto (Ed25519 in SubtleCrypto), as the console's "Verify in this browser" runs it:
// every event's JWS is prepared here (header, key, encoding: the same event-signature.ts code the CLI runs) and its
// Ed25519 check handed to crypto.subtle, all in flight at once, so the browser spreads them over its own threads.
import { type EventKeys, prepareDetachedJws } from "../../ledger/verify/event-signature.ts";
import { jwsSigningInput } from "../../ledger/verify/jws-signing-input.ts";
import type { EventKey } from "./keys.ts";
import type { EventSignatureCheck, VerifyPlatform } from "./verify-platform.ts";

const ED25519 = { name: "Ed25519" } as const;
type Key = Awaited<ReturnType<typeof crypto.subtle.importKey>>;

/** One imported CryptoKey per JWK x: a release's events share one or two keys. */
const imported = new Map<string, Promise<Key>>();
function importEd25519(x: string): Promise<Key> {
  let key = imported.get(x);
  if (!key) imported.set(x, (key = crypto.subtle.importKey("jwk", { kty: "OKP", crv: "Ed25519", x }, ED25519, false, ["verify"])));
  return key;
}

async function ed25519(x: string, message: Uint8Array, signature: Uint8Array): Promise<boolean> {
  try {
    return await crypto.subtle.verify(ED25519, await importEd25519(x), signature, message);
  } catch {
    return false; // a key WebCrypto refuses verifies nothing
  }
}

class WebCryptoSignatureChecks implements EventSignatureCheck {
  readonly #failed = new Map<number, string>();
  readonly #pending: Array<Promise<void>> = [];
  #keys: EventKeys = new Map();
  #jwks = new Map<string, EventKey>();

  useKeys(keys: Map<string, EventKey>): void {
    this.#keys = new Map([...keys].map(([kid, k]) => [kid, k.key]));
    this.#jwks = keys;
  }

  add(position: number, jws: string, _canonical: string, bytes: Uint8Array): void {
    // Buffer is a JavaScript shim in the browser: the signing input is written straight into bytes instead.
    const prepared = prepareDetachedJws(bytes, jws, this.#keys, jwsSigningInput);
    if (typeof prepared === "string") {
      this.#failed.set(position, prepared);
      return;
    }
    const x = this.#jwks.get(prepared.kid)!.jwk.x!;
    this.#pending.push(
      ed25519(x, prepared.signingInput, prepared.signature).then((ok) => {
        if (!ok) this.#failed.set(position, "Ed25519 signature does not verify over the canonical bytes");
      }),
    );
  }

  async settle(): Promise<Map<number, string>> {
    await Promise.all(this.#pending);
    return this.#failed;
  }

  async close(): Promise<void> {}
}

export const webCryptoPlatform: VerifyPlatform = {
  eventSignatures: () => new WebCryptoSignatureChecks(),
  ed25519,
};
