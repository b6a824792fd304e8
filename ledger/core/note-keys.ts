// C2SP signed-note Ed25519 keys (https://c2sp.org/signed-note): key IDs, vkey and signer-key text forms.

import { Buffer } from "node:buffer";
import type { KeyObject } from "node:crypto";
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, verify } from "node:crypto";
import { MaestroError } from "../../common/errors.ts";
import { fromBase64, toBase64 } from "./hash.ts";

/** Signature type byte for Ed25519 in key IDs and encoded keys (signed-note "Signature types"). */
const ALG_ED25519 = 0x01;

export interface NoteSigner {
  name: string;
  privateKey: KeyObject;
}

export interface NoteVerifier {
  name: string;
  keyId: number;
  verify(message: Uint8Array, signature: Uint8Array): boolean;
}

function bad(reason: string, field: string): never {
  throw new MaestroError("bad_request", reason, { field, details: { reason } });
}

/** signed-note: names are non-empty, with no Unicode whitespace and no "+". */
export function isValidKeyName(name: string): boolean {
  return typeof name === "string" && name.length > 0 && !/[\s+]/u.test(name) && name.isWellFormed();
}

export function checkName(name: string): void {
  if (!isValidKeyName(name)) bad(`invalid key name ${JSON.stringify(name)}`, "name");
}

/** Key ID = first 4 bytes of SHA-256(name || "\n" || 0x01 || pubkey), big-endian uint32. */
export function noteKeyId(name: string, publicKeyRaw: Uint8Array): number {
  const h = createHash("sha256").update(name, "utf8").update("\n").update(Uint8Array.of(ALG_ED25519));
  return h.update(publicKeyRaw).digest().readUInt32BE(0);
}

export const keyIdHex = (id: number): string => id.toString(16).padStart(8, "0");

export function ed25519PublicRaw(key: KeyObject): Uint8Array {
  const pub = key.type === "private" ? createPublicKey(key) : key;
  const jwk = pub.export({ format: "jwk" });
  if (jwk.crv !== "Ed25519" || typeof jwk.x !== "string") bad("key is not an Ed25519 key", "key");
  return new Uint8Array(Buffer.from(jwk.x, "base64url"));
}

function publicKeyFromRaw(raw: Uint8Array): KeyObject {
  return createPublicKey({
    key: { kty: "OKP", crv: "Ed25519", x: Buffer.from(raw).toString("base64url") },
    format: "jwk",
  });
}

const PKCS8_ED25519_PREFIX = Buffer.from("302e020100300506032b657004220420", "hex"); // RFC 8410 §7

function privateKeyFromSeed(seed: Uint8Array): KeyObject {
  return createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]), format: "der", type: "pkcs8" });
}

function seedOf(key: KeyObject): Uint8Array {
  const jwk = key.export({ format: "jwk" });
  if (jwk.crv !== "Ed25519" || typeof jwk.d !== "string") bad("key is not an Ed25519 private key", "key");
  return new Uint8Array(Buffer.from(jwk.d, "base64url"));
}

/** Verifier key: name+keyIdHex(keyID)+base64(0x01 || pubkey). */
export function formatVkey(name: string, publicKeyRaw: Uint8Array): string {
  checkName(name);
  if (publicKeyRaw.length !== 32) bad("Ed25519 public key must be 32 bytes", "publicKey");
  const enc = toBase64(Uint8Array.of(ALG_ED25519, ...publicKeyRaw));
  return `${name}+${keyIdHex(noteKeyId(name, publicKeyRaw))}+${enc}`;
}

/** Splits "name+keyIdHex+base64" and checks the algorithm byte, key length and key ID. */
function parseKeyParts(text: string, field: string): { name: string; keyId: number; key: Uint8Array } {
  // Split at the first two "+" only: base64 key data may itself contain "+".
  const a = text.indexOf("+");
  const b = a < 0 ? -1 : text.indexOf("+", a + 1);
  if (b < 0) bad("key must have the form name+keyid+key", field);
  const [name, idHex, b64] = [text.slice(0, a), text.slice(a + 1, b), text.slice(b + 1)];
  checkName(name);
  if (!/^[0-9a-f]{8}$/.test(idHex)) bad("key ID must be 8 lowercase hex digits", field);
  const data = fromBase64(b64, field);
  if (data.length !== 33 || data[0] !== ALG_ED25519) bad("key must be 0x01 followed by 32 Ed25519 bytes", field);
  return { name, keyId: Number.parseInt(idHex, 16), key: data.subarray(1) };
}

export function parseVkey(vkey: string): NoteVerifier {
  const { name, keyId, key } = parseKeyParts(vkey, "vkey");
  if (noteKeyId(name, key) !== keyId) bad("key ID does not match name and key", "vkey");
  const pub = publicKeyFromRaw(key);
  return { name, keyId, verify: (msg, sig) => sig.length === 64 && verify(null, msg, pub, sig) };
}

/** Private form: PRIVATE+KEY+name+keyIdHex(keyID)+base64(0x01 || seed). */
export function formatSignerKey(signer: NoteSigner): string {
  checkName(signer.name);
  const id = noteKeyId(signer.name, ed25519PublicRaw(signer.privateKey));
  return `PRIVATE+KEY+${signer.name}+${keyIdHex(id)}+${toBase64(Uint8Array.of(ALG_ED25519, ...seedOf(signer.privateKey)))}`;
}

export function parseSignerKey(skey: string): NoteSigner & { keyId: number; vkey: string } {
  if (!skey.startsWith("PRIVATE+KEY+")) bad("signer key must start with PRIVATE+KEY+", "skey");
  const { name, keyId, key } = parseKeyParts(skey.slice("PRIVATE+KEY+".length), "skey");
  const privateKey = privateKeyFromSeed(key);
  const pub = ed25519PublicRaw(privateKey);
  if (noteKeyId(name, pub) !== keyId) bad("key ID does not match name and key", "skey");
  return { name, keyId, privateKey, vkey: formatVkey(name, pub) };
}

/** A fresh Ed25519 note key pair in both text forms. */
export function generateNoteKey(name: string): { signerKey: string; vkey: string } {
  checkName(name);
  const { privateKey } = generateKeyPairSync("ed25519");
  return { signerKey: formatSignerKey({ name, privateKey }), vkey: formatVkey(name, ed25519PublicRaw(privateKey)) };
}
