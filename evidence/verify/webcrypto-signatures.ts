// Event signatures on WebCrypto: each event's JWS prepared by the CLI's own event-signature.ts (header, key, RFC 7515
// signing input) and its Ed25519 check handed to crypto.subtle. Run on the verifier's thread, or on a worker of its own
// (console/worker/signature-worker.ts) with a batch of events at a time.
import type { JWK } from "jose";
import { Buffer } from "node:buffer";
import { type EventKeys, eventKeySet, prepareDetachedJws } from "../../ledger/verify/event-signature.ts";
import { jwsSigningInput } from "../../ledger/verify/jws-signing-input.ts";
import { itemAt } from "../../common/present.ts";

const ED25519 = { name: "Ed25519" } as const;
type Key = Awaited<ReturnType<typeof crypto.subtle.importKey>>;

/** One imported CryptoKey per JWK x: a release's events share one or two keys. */
const imported = new Map<string, Promise<Key>>();
function importEd25519(x: string): Promise<Key> {
  let key = imported.get(x);
  if (!key) imported.set(x, (key = crypto.subtle.importKey("jwk", { kty: "OKP", crv: "Ed25519", x }, ED25519, false, ["verify"])));
  return key;
}

/** Ed25519 (RFC 8032) of `message` by the key whose JWK `x` is given: true when it verifies. Never rejects. */
export async function ed25519(x: string, message: Uint8Array, signature: Uint8Array): Promise<boolean> {
  try {
    return await crypto.subtle.verify(ED25519, await importEd25519(x), signature, message);
  } catch {
    return false; // a key WebCrypto refuses verifies nothing
  }
}

export const BAD_SIGNATURE = "Ed25519 signature does not verify over the canonical bytes";

/** The trusted event keys as a verifier holds them: by kid, the KeyObject the JWS check names and the JWK's x. */
export interface WebCryptoKeys {
  keys: EventKeys;
  x: Map<string, string>;
}

export function webCryptoKeys(jwks: JWK[]): WebCryptoKeys {
  const keys = eventKeySet(jwks);
  return { keys, x: new Map(jwks.flatMap((j) => (j.kid && j.x && keys.has(j.kid) ? [[j.kid, j.x] as const] : []))) };
}

/** One event's check: resolves to why it fails, or null. Never rejects. */
export function checkEventJws(bytes: Uint8Array, jws: string, keys: WebCryptoKeys): Promise<string | null> {
  // Buffer is a JavaScript shim in the browser: the signing input is written straight into bytes instead.
  const prepared = prepareDetachedJws(bytes, jws, keys.keys, jwsSigningInput);
  if (typeof prepared === "string") return Promise.resolve(prepared);
  const x = keys.x.get(prepared.kid);
  if (x === undefined) return Promise.resolve(`signing key ${prepared.kid} has no Ed25519 x`);
  return ed25519(x, prepared.signingInput, prepared.signature).then((ok) => (ok ? null : BAD_SIGNATURE));
}

/** What the verifier's thread posts to a signature worker: parallel arrays, canonical bytes in standard base64. */
export interface WebCryptoBatch {
  id: number;
  /** The trusted event keys, sent with every batch (a few hundred bytes) so a worker holds no state to go stale. */
  eventKeys: JWK[];
  jws: string[];
  /** Already checked to be canonical base64 by the verifier's thread (verify-ledger-part.ts, strictBase64). */
  canonical: string[];
}

/** The worker's answer: [position in the batch, reason] for each failure, or why it could not check the batch. */
export type WebCryptoBatchReply = { id: number; failures: Array<[number, string]> } | { id: number; error: string };

/** Every event of a batch checked at once (WebCrypto's calls all in flight), failures named by their batch position. */
export async function webCryptoBatchFailures(batch: WebCryptoBatch, keys: WebCryptoKeys): Promise<Array<[number, string]>> {
  const checks = batch.jws.map((jws, i) =>
    checkEventJws(Buffer.from(itemAt(batch.canonical, i, "batch canonical entries"), "base64"), jws, keys),
  );
  const out: Array<[number, string]> = [];
  for (const [i, problem] of (await Promise.all(checks)).entries()) if (problem !== null) out.push([i, problem]);
  return out;
}
