// Event signature check: JWS (RFC 7515) EdDSA with detached payload (Appendix F) over the canonical bytes.
//
// Why node:crypto and not jose's compactVerify: measured on this machine, compactVerify (WebCrypto,
// async, key import per call) reached ~6,000 verifications/s per core against ~9,000-10,000/s
// for crypto.verify(null, data, KeyObject, sig). The verifier's target is 10,000 events/s, so the
// hot loop uses node:crypto; event-signature.test.ts cross-checks both on the same data.
import { Buffer } from "node:buffer";
import { createPublicKey, type KeyObject, verify } from "node:crypto";
import type { JWK } from "jose";

export type EventKeys = Map<string, KeyObject>;

/** kid → Ed25519 public key; keys that are not Ed25519 OKP JWKs with a kid are ignored. */
export function eventKeySet(jwks: JWK[]): EventKeys {
  const out: EventKeys = new Map();
  for (const jwk of jwks) {
    if (jwk.kty !== "OKP" || jwk.crv !== "Ed25519" || typeof jwk.x !== "string" || typeof jwk.kid !== "string") continue;
    out.set(jwk.kid, createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x: jwk.x }, format: "jwk" }));
  }
  return out;
}

/** base64url without padding, refusing non-canonical text (Node's decoder ignores junk and stray bits). */
function strictBase64url(text: string): Buffer | null {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) return null;
  const bytes = Buffer.from(text, "base64url");
  return bytes.toString("base64url") === text ? bytes : null;
}

type HeaderResult = { kid: string; key: KeyObject } | { error: string };

/** Parsed protected headers per key set: every event from one key shares the same header. */
const headerCaches = new WeakMap<EventKeys, Map<string, HeaderResult>>();

function keyForHeader(header: string, keys: EventKeys): HeaderResult {
  let headerCache = headerCaches.get(keys);
  if (!headerCache) headerCaches.set(keys, (headerCache = new Map()));
  const cached = headerCache.get(header);
  if (cached) return cached;
  let result: HeaderResult;
  const raw = strictBase64url(header);
  let parsed: Record<string, unknown> | null = null;
  try {
    parsed = raw ? (JSON.parse(raw.toString("utf8")) as Record<string, unknown>) : null;
  } catch {}
  if (!parsed || typeof parsed !== "object") result = { error: "JWS protected header is not base64url JSON" };
  else if (parsed.alg !== "EdDSA") result = { error: `JWS alg is ${JSON.stringify(parsed.alg)}, expected "EdDSA"` };
  else if (parsed.crit !== undefined || parsed.b64 !== undefined) result = { error: "JWS header has crit/b64, which events never use" };
  else if (typeof parsed.kid !== "string") result = { error: "JWS header has no kid" };
  else {
    const key = keys.get(parsed.kid);
    result = key ? { kid: parsed.kid, key } : { error: `signing key ${parsed.kid} is not among the published event keys` };
  }
  if (headerCache.size > 1000) headerCache.clear();
  headerCache.set(header, result);
  return result;
}

/** A detached-payload JWS checked up to the signature itself: the key its header names and the RFC 7515 signing input. */
export interface PreparedJws {
  kid: string;
  key: KeyObject;
  /** ASCII(base64url(header) || "." || base64url(payload)), RFC 7515 §5.2 step 8. */
  signingInput: Uint8Array;
  signature: Buffer;
}

/** How a caller builds the signing input: Node's native Buffer here; jws-signing-input.ts where Buffer is a shim. */
export type SigningInputBuilder = (header: string, payload: Uint8Array) => Uint8Array;

/** ASCII(`${header}.${base64url(payload)}`) through Node's native base64url, fastest for an event's ~1 KB. */
export function bufferSigningInput(header: string, payload: Uint8Array): Uint8Array {
  const encoded = Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength).toString("base64url");
  return Buffer.from(`${header}.${encoded}`, "latin1");
}

/** Everything but the Ed25519 check (header, key, signature encoding), so callers can run that check where they like. */
export function prepareDetachedJws(
  payload: Uint8Array,
  jws: string,
  keys: EventKeys,
  signingInput: SigningInputBuilder = bufferSigningInput,
): PreparedJws | string {
  if (typeof jws !== "string") return "signature is not a string";
  const parts = jws.split(".");
  const [header, detached, encodedSignature] = parts;
  if (parts.length !== 3 || header === undefined || detached !== "" || encodedSignature === undefined)
    return "signature is not a compact JWS with detached payload (header..signature)";
  const found = keyForHeader(header, keys);
  if ("error" in found) return found.error;
  const signature = strictBase64url(encodedSignature);
  if (signature?.length !== 64) return "JWS signature is not 64 bytes of canonical base64url";
  return { kid: found.kid, key: found.key, signingInput: signingInput(header, payload), signature };
}

/** null when `jws` is a valid signature of `canonical` by a known key, else why not. */
export function checkEventSignature(canonical: Uint8Array, jws: string, keys: EventKeys): string | null {
  const prepared = prepareDetachedJws(canonical, jws, keys);
  if (typeof prepared === "string") return prepared;
  return verify(null, prepared.signingInput, prepared.key, prepared.signature)
    ? null
    : "Ed25519 signature does not verify over the canonical bytes";
}
