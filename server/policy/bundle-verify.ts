// Verifies OPA bundle signatures: the JWT in /.signatures.json and the per-file hashes it lists.
// Format and hashing rules: https://www.openpolicyagent.org/docs/management-bundles#signing (OPA v1/bundle
// verify.go + hash.go): exactly one JWT; its payload lists {name, hash, algorithm} for every file; JSON documents
// (.manifest, data.json) are hashed in a canonical form (keys sorted, no whitespace), other files byte-for-byte.
import { createHash, createPublicKey, type KeyObject } from "node:crypto";
import { compactVerify, decodeProtectedHeader } from "jose";
import { MaestroError } from "../../common/errors.ts";

export interface VerificationKey {
  /** PEM public key / certificate (RS*, PS*, ES*, EdDSA) or the shared secret (HS*). */
  key: string | Uint8Array;
  /** JWS algorithm the bundle must be signed with, e.g. "EdDSA", "ES256", "RS256". */
  alg: string;
  /** Expected key id (JWT `kid` / payload `keyid`); when set, a token naming another key is refused. */
  keyId?: string;
  /** Expected `scope` claim; OPA's default is no scope. */
  scope?: string;
}

export interface SignatureCheck {
  keyId: string | undefined;
  /** Paths the signature covers (all files of the bundle but .signatures.json). */
  files: string[];
}

export const SIGNATURES_FILE = ".signatures.json";
const STRUCTURED = new Set(["data.json", ".manifest", SIGNATURES_FILE]);
// Weak digests OPA still accepts (MD5, SHA-1) are refused here.
const HASHES: Record<string, string> = {
  "SHA-224": "sha224",
  "SHA-256": "sha256",
  "SHA-384": "sha384",
  "SHA-512": "sha512",
  "SHA-512-224": "sha512-224",
  "SHA-512-256": "sha512-256",
};

function refuse(message: string, cause?: unknown): MaestroError {
  return new MaestroError("signature_invalid", `policy bundle signature invalid: ${message}`, { cause });
}

// Go's encoding/json string form with SetEscapeHTML(false), which OPA uses for keys and primitives.
function goJsonString(value: string): string {
  return JSON.stringify(value.toWellFormed()).replace(/[\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16)}`);
}

class RawNumber {
  readonly source: string;
  constructor(source: string) {
    this.source = source;
  }
}

function utf8Compare(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

function canonical(value: unknown): string {
  if (value instanceof RawNumber) return value.source; // OPA decodes numbers as json.Number: literal kept
  if (typeof value === "string") return goJsonString(value);
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value).sort(([a], [b]) => utf8Compare(a, b));
    return `{${entries.map(([k, v]) => `${goJsonString(k)}:${canonical(v)}`).join(",")}}`;
  }
  return JSON.stringify(value); // true, false, null
}

type SourceReviver = (key: string, value: unknown, context: { source?: string }) => unknown;

/** The hash OPA records for a bundle file (hex). */
export function opaFileHash(name: string, bytes: Uint8Array, algorithm: string): string {
  const nodeAlg = HASHES[algorithm];
  if (!nodeAlg) throw refuse(`unsupported hash algorithm ${JSON.stringify(algorithm)} for ${name}`);
  const base = name.slice(name.lastIndexOf("/") + 1);
  if (!STRUCTURED.has(base)) return createHash(nodeAlg).update(bytes).digest("hex");
  const reviver: SourceReviver = (_k, v, ctx) => (typeof v === "number" ? new RawNumber(ctx.source ?? String(v)) : v);
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder().decode(bytes), reviver as Parameters<typeof JSON.parse>[1]);
  } catch (cause) {
    throw refuse(`${name} is not valid JSON`, cause);
  }
  return createHash(nodeAlg).update(canonical(parsed)).digest("hex");
}

function importKey(key: VerificationKey): KeyObject | Uint8Array {
  if (key.alg.startsWith("HS")) return typeof key.key === "string" ? new TextEncoder().encode(key.key) : key.key;
  try {
    return createPublicKey(typeof key.key === "string" ? key.key : Buffer.from(key.key));
  } catch (cause) {
    throw new MaestroError("bad_request", "policy verification key is not a PEM public key or certificate", { cause });
  }
}

interface SignedFile {
  name: string;
  hash: string;
  algorithm: string;
}

function parseSignatures(bytes: Uint8Array): string {
  let doc: unknown;
  try {
    doc = JSON.parse(new TextDecoder().decode(bytes));
  } catch (cause) {
    throw refuse(`${SIGNATURES_FILE} is not valid JSON`, cause);
  }
  const signatures = (doc as { signatures?: unknown }).signatures;
  if (!Array.isArray(signatures) || signatures.length !== 1 || typeof signatures[0] !== "string") {
    throw refuse(`${SIGNATURES_FILE} must hold exactly one JWT`);
  }
  return signatures[0];
}

/** Checks the JWT and every file hash; `files` are the bundle's files keyed by path without a leading "/". */
export async function verifyBundleSignature(files: ReadonlyMap<string, Uint8Array>, key: VerificationKey): Promise<SignatureCheck> {
  const sigBytes = files.get(SIGNATURES_FILE);
  if (!sigBytes) throw refuse("bundle is unsigned but a verification key is configured");
  const token = parseSignatures(sigBytes);
  let payloadBytes: Uint8Array;
  let kid: string | undefined;
  try {
    kid = decodeProtectedHeader(token).kid;
    ({ payload: payloadBytes } = await compactVerify(token, importKey(key), { algorithms: [key.alg] }));
  } catch (cause) {
    if (cause instanceof MaestroError) throw cause;
    throw refuse(`JWT did not verify with the configured ${key.alg} key`, cause);
  }
  const payload = JSON.parse(new TextDecoder().decode(payloadBytes)) as {
    files?: SignedFile[];
    keyid?: string;
    scope?: string;
  };
  const keyId = kid ?? payload.keyid;
  if (key.keyId !== undefined && keyId !== key.keyId) throw refuse(`signed with key id ${keyId}, expected ${key.keyId}`);
  if ((payload.scope ?? "") !== (key.scope ?? "")) throw refuse("scope mismatch");
  if (!Array.isArray(payload.files)) throw refuse("JWT payload has no files list");

  const listed = new Map<string, SignedFile>();
  for (const file of payload.files) listed.set(String(file.name).replace(/^\/+/, ""), file);
  for (const [name, bytes] of files) {
    if (name === SIGNATURES_FILE) continue;
    const entry = listed.get(name);
    if (!entry) throw refuse(`file ${name} is not covered by the signature`);
    if (opaFileHash(name, bytes, entry.algorithm) !== String(entry.hash).toLowerCase()) {
      throw refuse(`digest mismatch for ${name}`);
    }
    listed.delete(name);
  }
  if (listed.size > 0) throw refuse(`signed files missing from the bundle: ${[...listed.keys()].join(", ")}`);
  return { keyId, files: [...files.keys()].filter((n) => n !== SIGNATURES_FILE).sort() };
}
