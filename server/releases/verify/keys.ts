// The keys an auditor pins (--key: JWKS, one JWK, an Ed25519 PEM, or a signed-note vkey) and the bundle's own key set.
import { createPublicKey, type KeyObject } from "node:crypto";
import { calculateJwkThumbprint, type JWK } from "jose";
import { parseVkey } from "../../../ledger/core/index.ts";

export interface EventKey {
  kid: string;
  jwk: JWK;
  key: KeyObject;
}

export type PinnedKey = { kind: "jwks"; keys: Map<string, EventKey> } | { kind: "vkey"; vkey: string };

/** An Ed25519 JWK whose kid is its RFC 7638 thumbprint (our keyring's rule), as a verification key. */
export async function eventKeyFromJwk(jwk: JWK): Promise<EventKey> {
  if (jwk.kty !== "OKP" || jwk.crv !== "Ed25519" || typeof jwk.x !== "string") throw new Error("key is not an Ed25519 public JWK");
  if ("d" in jwk) throw new Error("a private key was supplied where a public key belongs");
  const kid = await calculateJwkThumbprint({ kty: "OKP", crv: "Ed25519", x: jwk.x });
  if (jwk.kid !== undefined && jwk.kid !== kid) throw new Error(`kid ${jwk.kid} is not the key's RFC 7638 thumbprint ${kid}`);
  if (jwk.alg !== undefined && jwk.alg !== "EdDSA" && jwk.alg !== "Ed25519") throw new Error(`alg ${jwk.alg} is not EdDSA`);
  const key = createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x: jwk.x }, format: "jwk" });
  return { kid, jwk: { ...jwk, kid }, key };
}

export async function keySetFromJwks(jwks: unknown): Promise<Map<string, EventKey>> {
  const list = (jwks as { keys?: unknown })?.keys;
  if (!Array.isArray(list) || list.length === 0) throw new Error("JWKS has no keys");
  const out = new Map<string, EventKey>();
  for (const jwk of list) {
    const k = await eventKeyFromJwk(jwk as JWK);
    out.set(k.kid, k);
  }
  return out;
}

/** Reads the text of a --key file. */
export async function parsePinnedKey(text: string): Promise<PinnedKey> {
  const trimmed = text.trim();
  if (trimmed.startsWith("{")) {
    const json = JSON.parse(trimmed) as { keys?: unknown };
    return { kind: "jwks", keys: await keySetFromJwks(Array.isArray(json.keys) ? json : { keys: [json] }) };
  }
  if (trimmed.startsWith("-----BEGIN")) {
    const jwk = createPublicKey(trimmed).export({ format: "jwk" }) as JWK;
    const k = await eventKeyFromJwk(jwk);
    return { kind: "jwks", keys: new Map([[k.kid, k]]) };
  }
  parseVkey(trimmed); // throws on a malformed vkey or a key id that does not match
  return { kind: "vkey", vkey: trimmed };
}
