// The keys an auditor pins (--key: JWKS, one JWK, an Ed25519 PEM, or signed-note vkeys) and the bundle's own key sets.
import { createPublicKey, type KeyObject } from "node:crypto";
import { calculateJwkThumbprint, type JWK } from "jose";
import { parseVkey } from "../../ledger/core/index.ts";
import { itemAt } from "../../common/present.ts";

export interface EventKey {
  kid: string;
  jwk: JWK;
  key: KeyObject;
}

/** A pinned vkey file may list several keys, one per line (as `maestro ledger verify --key` reads it): after a rotation, old and new. */
export type PinnedKey = { kind: "jwks"; keys: Map<string, EventKey> } | { kind: "vkey"; vkeys: string[] };

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
  const vkeys = trimmed
    .split("\n")
    .map((line) => line.trim())
    .filter(Boolean);
  if (vkeys.length === 0) throw new Error("the key file is empty");
  for (const vkey of vkeys) parseVkey(vkey); // throws on a malformed vkey or a key id that does not match
  return { kind: "vkey", vkeys };
}

/** "name+keyid" of a vkey: how reports name a checkpoint key without its key bytes. */
export function vkeyLabel(vkey: string): string {
  return vkey.split("+", 2).join("+");
}

/**
 * The bundle's `keys.vkey`: the log's checkpoint verifier keys (C2SP signed-note vkeys), one per line, the current key
 * first, then the retired ones the ledger still publishes; a single line until the first rotation. Strict, as it is
 * signed data: no blank or padded lines, one key name (the log's origin), and no two keys sharing a key id, so which
 * key a signature line belongs to is never ambiguous (signed-note identifies keys by name and id only).
 */
export function parseVkeyList(text: unknown): string[] {
  if (typeof text !== "string") throw new Error("the checkpoint keys are not a string of vkeys");
  const vkeys = text.split("\n");
  const logName = parseVkey(itemAt(vkeys, 0, "checkpoint key lines")).name; // split gives at least one line
  const ids = new Set<number>();
  for (const vkey of vkeys) {
    const { name, keyId } = parseVkey(vkey);
    if (name !== logName) throw new Error(`checkpoint keys of two logs: ${JSON.stringify(logName)} and ${JSON.stringify(name)}`);
    if (ids.has(keyId)) throw new Error(`two checkpoint keys share the key id ${vkeyLabel(vkey)}`);
    ids.add(keyId);
  }
  return vkeys;
}

export function formatVkeyList(vkeys: string[]): string {
  return vkeys.join("\n");
}
