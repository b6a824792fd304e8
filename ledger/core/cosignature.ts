// C2SP tlog-cosignature (https://c2sp.org/tlog-cosignature) Ed25519 cosignature/v1: witness keys, signing, verifying.
//
// A cosignature is a signed-note signature line whose signature is timestamp(u64 BE) || Ed25519 over
// "cosignature/v1\ntime <t>\n" + the checkpoint body. Its key ID uses the type byte 0x04, so a log key
// (0x01) can never be mistaken for a witness key of the same name.
import { Buffer } from "node:buffer";
import type { KeyObject } from "node:crypto";
import { createHash, createPublicKey, sign, verify } from "node:crypto";
import { MaestroError } from "../../common/errors.ts";
import { fromBase64, toBase64 } from "./hash.ts";
import { checkName, ed25519PublicRaw, isValidKeyName, keyIdHex } from "./note-keys.ts";

/** Signature type byte of Ed25519 cosignature/v1 keys (tlog-cosignature "Format"). */
const ALG_COSIGNATURE_V1 = 0x04;
const SIG_PREFIX = "\u2014 "; // em dash, space: a signed-note signature line
/** The spec bounds the timestamp at 2^63 - 1; we also need it exact as a JS number. */
const MAX_TIMESTAMP = BigInt(Number.MAX_SAFE_INTEGER);

export interface Cosigner {
  name: string;
  keyId: number;
  /** The vkey text this cosigner was parsed from (name+keyid+base64(0x04 || key)). */
  vkey: string;
  publicKey: KeyObject;
}

export interface CosignatureCheck {
  cosigner: Cosigner;
  /** POSIX seconds the witness put in its signature. */
  timestamp: number;
  /** The signature line as it appears in the note, without its newline. */
  line: string;
}

function bad(reason: string, field: string): never {
  throw new MaestroError("bad_request", reason, { field, details: { reason } });
}

/** SHA-256(name || "\n" || 0x04 || pubkey)[:4] as a big-endian uint32. */
export function cosignerKeyId(name: string, publicKeyRaw: Uint8Array): number {
  const h = createHash("sha256").update(name, "utf8").update("\n").update(Uint8Array.of(ALG_COSIGNATURE_V1));
  return h.update(publicKeyRaw).digest().readUInt32BE(0);
}

export function formatCosignerVkey(name: string, publicKeyRaw: Uint8Array): string {
  checkName(name);
  if (publicKeyRaw.length !== 32) bad("Ed25519 public key must be 32 bytes", "publicKey");
  return `${name}+${keyIdHex(cosignerKeyId(name, publicKeyRaw))}+${toBase64(Uint8Array.of(ALG_COSIGNATURE_V1, ...publicKeyRaw))}`;
}

/** Parses a witness vkey; only Ed25519 cosignature/v1 keys (type 0x04) are accepted. */
export function parseCosignerVkey(vkey: string): Cosigner {
  const a = vkey.indexOf("+");
  const b = a < 0 ? -1 : vkey.indexOf("+", a + 1);
  if (b < 0) bad("witness key must have the form name+keyid+key", "vkey");
  const [name, idHex, b64] = [vkey.slice(0, a), vkey.slice(a + 1, b), vkey.slice(b + 1)];
  checkName(name);
  if (!/^[0-9a-f]{8}$/.test(idHex)) bad("witness key ID must be 8 lowercase hex digits", "vkey");
  const data = fromBase64(b64, "vkey");
  if (data.length !== 33 || data[0] !== ALG_COSIGNATURE_V1) {
    bad("witness key must be 0x04 (Ed25519 cosignature/v1) followed by 32 key bytes", "vkey");
  }
  const raw = data.subarray(1);
  const keyId = Number.parseInt(idHex, 16);
  if (cosignerKeyId(name, raw) !== keyId) bad("witness key ID does not match name and key", "vkey");
  const publicKey = createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x: Buffer.from(raw).toString("base64url") }, format: "jwk" });
  return { name, keyId, vkey, publicKey };
}

/** The message a cosignature/v1 signs: two header lines, then the checkpoint body with its final newline. */
export function cosignedMessage(body: string, timestamp: number): Buffer {
  if (!body.endsWith("\n")) bad("checkpoint body must end in a newline", "body");
  if (!Number.isSafeInteger(timestamp) || timestamp < 0) bad("timestamp must be a non-negative integer", "timestamp");
  return Buffer.from(`cosignature/v1\ntime ${timestamp}\n${body}`, "utf8");
}

/** One cosignature line (no newline) over `body`; what a witness returns. Used by tests and fake witnesses. */
export function signCosignature(body: string, signer: { name: string; privateKey: KeyObject }, timestamp: number): string {
  checkName(signer.name);
  const sig = sign(null, cosignedMessage(body, timestamp), signer.privateKey);
  const head = Buffer.alloc(12);
  head.writeUInt32BE(cosignerKeyId(signer.name, ed25519PublicRaw(signer.privateKey)), 0);
  head.writeBigUInt64BE(BigInt(timestamp), 4);
  return `${SIG_PREFIX}${signer.name} ${toBase64(Buffer.concat([head, sig]))}`;
}

/**
 * Checks one signature line against one cosigner. A line of another key (name or key ID differ) is
 * `null`: clients must ignore cosignatures from keys they do not know (tlog-witness). A line that
 * claims this cosigner's name and key ID but does not verify is an error: someone forged or altered it.
 */
export function verifyCosignature(body: string, line: string, cosigner: Cosigner): CosignatureCheck | null {
  const parsed = parseSignatureLine(line);
  if (!parsed || parsed.name !== cosigner.name || parsed.raw.length < 4 || parsed.raw.readUInt32BE(0) !== cosigner.keyId) return null;
  const fail = (reason: string): never => {
    throw new MaestroError("signature_invalid", `cosignature by ${cosigner.name}+${keyIdHex(cosigner.keyId)} ${reason}`, {
      details: { witness: cosigner.vkey },
    });
  };
  if (parsed.raw.length !== 4 + 8 + 64) fail("is not 4 + 8 + 64 bytes");
  const ts = parsed.raw.readBigUInt64BE(4);
  if (ts > MAX_TIMESTAMP) fail("has an out-of-range timestamp");
  const timestamp = Number(ts);
  if (!verify(null, cosignedMessage(body, timestamp), cosigner.publicKey, parsed.raw.subarray(12))) fail("does not verify");
  return { cosigner, timestamp, line };
}

/** "— name base64" → its parts, or null for anything that is not a well-formed signature line. */
export function parseSignatureLine(line: string): { name: string; raw: Buffer } | null {
  if (!line.startsWith(SIG_PREFIX)) return null;
  const rest = line.slice(SIG_PREFIX.length);
  const sp = rest.indexOf(" ");
  if (sp < 0) return null;
  const name = rest.slice(0, sp);
  const b64 = rest.slice(sp + 1);
  if (!isValidKeyName(name) || !/^[A-Za-z0-9+/]+={0,2}$/.test(b64)) return null;
  try {
    return { name, raw: Buffer.from(fromBase64(b64, "signature")) };
  } catch {
    return null;
  }
}
