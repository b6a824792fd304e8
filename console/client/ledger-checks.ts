// What the entry page checks in the browser with WebCrypto: the checkpoint's C2SP signed note (Ed25519), the entry's
// RFC 6962 inclusion proof against that checkpoint (the walk is ledger/core's own), and the event's detached JWS.
import { inclusionWalk } from "../../ledger/core/inclusion-walk.ts";

export const fromBase64 = (text: string): Uint8Array<ArrayBuffer> => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
/** Byte by byte: an entry holds up to 65,535 bytes, more arguments than a spread call may pass. */
export function toBase64(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}
const fromBase64url = (text: string): Uint8Array<ArrayBuffer> =>
  fromBase64(
    text
      .replace(/-/g, "+")
      .replace(/_/g, "/")
      .padEnd(Math.ceil(text.length / 4) * 4, "="),
  );
const toBase64url = (bytes: Uint8Array): string => toBase64(bytes).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
const utf8 = new TextEncoder();

function concat(...parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

async function sha256(...parts: Uint8Array[]): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", concat(...parts)));
}

const equal = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);

export interface Checkpoint {
  origin: string;
  size: number;
  root: Uint8Array;
}

/** A C2SP tlog-checkpoint body: origin, decimal tree size, base64 root hash, then optional extension lines. */
export function parseCheckpoint(text: string): Checkpoint {
  const [origin, size, root] = text.split("\n");
  if (!origin || !size || !/^(0|[1-9]\d{0,15})$/.test(size) || !root) throw new Error("the checkpoint is not a C2SP tlog-checkpoint");
  const hash = fromBase64(root);
  if (hash.length !== 32) throw new Error("the checkpoint's root hash is not 32 bytes");
  return { origin, size: Number(size), root: hash };
}

export interface OpenedNote {
  /** The signed text: everything before the blank line, final newline included. */
  text: string;
  /** Names on the signature lines, the log's own first if it signed. */
  signers: string[];
  checkpoint: Checkpoint;
}

/**
 * Opens a C2SP signed note and checks the signature of the key `vkey` names (`name+hexid+base64(0x01 || pubkey)`):
 * the key id is the first four bytes of SHA-256(name || "\n" || 0x01 || pubkey), and the Ed25519 signature covers
 * the text. Other lines (witness cosignatures) are listed, not checked.
 */
export async function openCheckpointNote(note: string, vkey: string): Promise<OpenedNote> {
  const split = note.lastIndexOf("\n\n");
  if (split < 0 || !note.endsWith("\n")) throw new Error("the note has no signature block");
  const text = note.slice(0, split + 1);
  // name+hexid+base64: the name holds no "+", but base64 may, so the key is everything after the second one.
  const match = /^([^+]+)\+[0-9a-f]{8}\+(.+)$/.exec(vkey.trim());
  const [, name = "", keyText = ""] = match ?? [];
  const key = fromBase64(keyText);
  if (!name || key.length !== 33 || key[0] !== 1) throw new Error("the verifier key is not an Ed25519 signed-note key");
  const keyId = (await sha256(utf8.encode(`${name}\n`), key)).slice(0, 4);
  const lines = note.slice(split + 2, -1).split("\n");
  const signers: string[] = [];
  let verified = false;
  for (const line of lines) {
    const match = /^\u2014 (\S+) (\S+)$/.exec(line);
    if (!match) throw new Error("a signature line is malformed");
    const [, signer = "", b64 = ""] = match;
    signers.push(signer);
    const raw = fromBase64(b64);
    if (signer !== name || !equal(raw.slice(0, 4), keyId)) continue;
    const publicKey = await crypto.subtle.importKey("raw", key.slice(1), { name: "Ed25519" }, false, ["verify"]);
    if (!(await crypto.subtle.verify({ name: "Ed25519" }, publicKey, raw.slice(4), utf8.encode(text)))) {
      throw new Error(`the signature by ${name} does not verify`);
    }
    verified = true;
  }
  if (!verified) throw new Error(`the note carries no signature by ${name}`);
  return { text, signers: [name, ...signers.filter((s) => s !== name)], checkpoint: parseCheckpoint(text) };
}

/** RFC 6962 leaf hash of the entry's canonical bytes, then up the proof to the root it implies. */
export async function inclusionRoot(canonical: Uint8Array, index: number, size: number, hashes: Uint8Array[]): Promise<Uint8Array> {
  const leaf = await sha256(Uint8Array.of(0), canonical);
  const left = inclusionWalk({ leafHash: leaf, index, size, proof: hashes });
  let r = leaf;
  for (const [i, p] of hashes.entries()) r = left[i] ? await sha256(Uint8Array.of(1), p, r) : await sha256(Uint8Array.of(1), r, p);
  return r;
}

export async function verifyInclusion(canonical: Uint8Array, index: number, checkpoint: Checkpoint, hashes: Uint8Array[]): Promise<void> {
  const root = await inclusionRoot(canonical, index, checkpoint.size, hashes);
  if (!equal(root, checkpoint.root)) throw new Error("the proof leads to a different root than the checkpoint's");
}

/** An event key as /.well-known/jwks.json publishes it (Ed25519: kty OKP, crv Ed25519, x). */
export interface EventJwk {
  kty?: string;
  crv?: string;
  x?: string;
  kid?: string;
}

/** A detached-payload JWS (RFC 7515 Appendix F) by EdDSA over the canonical bytes, with a key from the JWKS. */
export async function verifyEventSignature(jws: string, canonical: Uint8Array, jwks: { keys: EventJwk[] }): Promise<string> {
  const [header = "", payload, signature = ""] = jws.split(".");
  if (payload !== "") throw new Error("the signature is not a detached JWS");
  const { alg, kid } = JSON.parse(new TextDecoder().decode(fromBase64url(header))) as { alg?: string; kid?: string };
  if (alg !== "EdDSA") throw new Error(`the JWS algorithm is ${String(alg)}, not EdDSA`);
  const jwk = jwks.keys.find((k) => k.kid === kid);
  if (!jwk) throw new Error(`the signing key ${String(kid)} is not among the published event keys`);
  const key = await crypto.subtle.importKey("jwk", { kty: jwk.kty, crv: jwk.crv, x: jwk.x }, { name: "Ed25519" }, false, ["verify"]);
  const input = utf8.encode(`${header}.${toBase64url(canonical)}`);
  if (!(await crypto.subtle.verify({ name: "Ed25519" }, key, fromBase64url(signature), input)))
    throw new Error("the signature does not verify");
  return kid!;
}
