// node:crypto for the browser bundle: what the offline verifier's Node code calls, and nothing that signs. WebCrypto is
// asynchronous only, so what Node does synchronously here (SHA-256 in the Merkle code, the two checkpoint notes' and the
// DSSE envelope's Ed25519) runs on audited pure-JS code (@noble/hashes, @noble/curves, strict RFC 8032); the bulk of
// the Ed25519 work, every event and the export signature, goes through WebCrypto (evidence/verify/webcrypto-platform.ts).
import { ed25519 } from "@noble/curves/ed25519.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { Buffer } from "./node-buffer.ts";

type Data = string | Uint8Array;
const bytesOf = (data: Data, encoding?: string): Uint8Array =>
  typeof data === "string" ? Buffer.from(data, (encoding ?? "utf8") as BufferEncoding) : data;
const encode = (digest: Uint8Array, encoding?: string): Buffer | string => {
  const out = Buffer.from(digest);
  return encoding && encoding !== "buffer" ? out.toString(encoding as BufferEncoding) : out;
};
const notHere = (what: string) => () => {
  throw new Error(`${what} is not available in the browser: the console only verifies`);
};

/** crypto.hash (Node ≥ 21.7): hex unless told otherwise. */
export function hash(algorithm: string, data: Data, outputEncoding = "hex"): Buffer | string {
  if (algorithm !== "sha256") throw new Error(`hash ${algorithm} is not available in the browser`);
  return encode(sha256(bytesOf(data)), outputEncoding);
}

export function createHash(algorithm: string) {
  if (algorithm !== "sha256") throw new Error(`hash ${algorithm} is not available in the browser`);
  const h = sha256.create();
  const api = {
    update(data: Data, encoding?: string) {
      h.update(bytesOf(data, encoding));
      return api;
    },
    digest: (encoding?: string) => encode(h.digest(), encoding ?? "buffer"),
  };
  return api;
}

export function timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) throw new RangeError("Input buffers must have the same byte length");
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

export const randomUUID = (): string => crypto.randomUUID();

/** An Ed25519 public key: all the verifier ever holds. */
export class KeyObject {
  readonly type = "public";
  readonly asymmetricKeyType = "ed25519";
  readonly raw: Uint8Array;
  constructor(raw: Uint8Array) {
    if (raw.length !== 32) throw new Error("an Ed25519 public key is 32 bytes");
    this.raw = raw;
  }
  export(options: { format: string; type?: string }): unknown {
    if (options.format === "jwk") return { kty: "OKP", crv: "Ed25519", x: Buffer.from(this.raw).toString("base64url") };
    if (options.format === "der") return Buffer.concat([SPKI_ED25519_PREFIX, this.raw]);
    throw new Error(`key export as ${options.format} is not available in the browser`);
  }
}

const SPKI_ED25519_PREFIX = Buffer.from("302a300506032b6570032100", "hex"); // RFC 8410 §4

function fromSpki(der: Uint8Array): KeyObject {
  const prefix = der.subarray(0, SPKI_ED25519_PREFIX.length);
  if (der.length !== 44 || !Buffer.from(prefix).equals(SPKI_ED25519_PREFIX)) throw new Error("the key is not an Ed25519 public key");
  return new KeyObject(der.slice(SPKI_ED25519_PREFIX.length));
}

type KeyInput = string | KeyObject | { key: unknown; format?: string; type?: string };
export function createPublicKey(input: KeyInput): KeyObject {
  if (input instanceof KeyObject) return input;
  if (typeof input === "string") {
    const body = /-----BEGIN PUBLIC KEY-----([\s\S]*?)-----END PUBLIC KEY-----/.exec(input)?.[1];
    if (body === undefined) throw new Error("the PEM is not a PUBLIC KEY (SubjectPublicKeyInfo)");
    return fromSpki(Buffer.from(body.replace(/\s+/g, ""), "base64"));
  }
  const { key, format } = input;
  if (format === "jwk") {
    const jwk = key as { kty?: string; crv?: string; x?: string };
    if (jwk.kty !== "OKP" || jwk.crv !== "Ed25519" || typeof jwk.x !== "string") throw new Error("the JWK is not an Ed25519 key");
    return new KeyObject(Buffer.from(jwk.x, "base64url"));
  }
  if (format === "der") return fromSpki(key as Uint8Array);
  if (typeof key === "string") return createPublicKey(key);
  throw new Error("this key format is not available in the browser");
}

/** Ed25519 only (algorithm null or undefined, as Node takes it), synchronous; strict RFC 8032, as OpenSSL checks it. */
export function verify(algorithm: string | null | undefined, data: Uint8Array, key: KeyInput, signature: Uint8Array): boolean {
  if (algorithm) throw new Error(`signature algorithm ${algorithm} is not available in the browser`);
  const pub = createPublicKey(key);
  try {
    return ed25519.verify(signature, data, pub.raw, { zip215: false });
  } catch {
    return false;
  }
}

export const sign = notHere("signing");
export const createPrivateKey = notHere("private keys");
export const generateKeyPairSync = notHere("key generation");

export default {
  hash,
  createHash,
  timingSafeEqual,
  randomUUID,
  createPublicKey,
  verify,
  sign,
  createPrivateKey,
  generateKeyPairSync,
  KeyObject,
};
