// Detached-payload JWS (RFC 7515 Appendix F) over canonical bytes, EdDSA / Ed25519: how ledger events and the export are signed.
import { verify as cryptoVerify } from "node:crypto";
import { flattenedVerify } from "jose";
import type { EventKey } from "./keys.ts";

/** Verifies `header..signature` over `payload` with the key its header names; throws a readable Error on failure. */
export async function verifyDetachedJws(jws: string, payload: Uint8Array, keys: Map<string, EventKey>): Promise<string> {
  const parts = typeof jws === "string" ? jws.split(".") : [];
  if (parts.length !== 3 || parts[1] !== "") throw new Error("signature is not a detached-payload compact JWS");
  let header: { alg?: string; kid?: string };
  try {
    header = JSON.parse(Buffer.from(parts[0], "base64url").toString("utf8"));
  } catch {
    throw new Error("JWS header is not base64url JSON");
  }
  if (header.alg !== "EdDSA") throw new Error(`JWS alg ${String(header.alg)} is not EdDSA`);
  const key = keys.get(String(header.kid));
  if (!key) throw new Error(`JWS kid ${String(header.kid)} is not a trusted key`);
  try {
    // Reattach the payload: the signing input is base64url(header).base64url(canonical bytes).
    await flattenedVerify({ protected: parts[0], payload: Buffer.from(payload).toString("base64url"), signature: parts[2] }, key.key, {
      algorithms: ["EdDSA"],
    });
  } catch {
    throw new Error(`JWS signature by ${key.kid} does not verify`);
  }
  return key.kid;
}

/**
 * The bulk path for thousands of ledger events: the same RFC 7515 check (EdDSA over "header.base64url(payload)")
 * done with node:crypto directly, headers parsed once, and the Ed25519 work queued on libuv's thread pool so it
 * overlaps with hashing on the main thread. jose's per-call WebCrypto import made 10,000 events take seconds.
 */
export class BulkJwsVerifier {
  readonly #keys: Map<string, EventKey>;
  readonly #headers = new Map<string, EventKey>();

  constructor(keys: Map<string, EventKey>) {
    this.#keys = keys;
  }

  #keyFor(protectedHeader: string): EventKey {
    const cached = this.#headers.get(protectedHeader);
    if (cached) return cached;
    let header: { alg?: string; kid?: string; crit?: unknown; b64?: unknown };
    try {
      header = JSON.parse(Buffer.from(protectedHeader, "base64url").toString("utf8"));
    } catch {
      throw new Error("JWS header is not base64url JSON");
    }
    if (header.alg !== "EdDSA") throw new Error(`JWS alg ${String(header.alg)} is not EdDSA`);
    if (header.crit !== undefined || header.b64 !== undefined) throw new Error("JWS header uses extensions this verifier does not support");
    const key = this.#keys.get(String(header.kid));
    if (!key) throw new Error(`JWS kid ${String(header.kid)} is not a trusted key`);
    this.#headers.set(protectedHeader, key);
    return key;
  }

  verify(jws: string, payload: Uint8Array): Promise<void> {
    const parts = typeof jws === "string" ? jws.split(".") : [];
    if (parts.length !== 3 || parts[1] !== "") return Promise.reject(new Error("signature is not a detached-payload compact JWS"));
    let key: EventKey;
    try {
      key = this.#keyFor(parts[0]);
    } catch (err) {
      return Promise.reject(err);
    }
    const signature = Buffer.from(parts[2], "base64url");
    if (signature.length !== 64 || signature.toString("base64url") !== parts[2]) return Promise.reject(new Error("JWS signature is not 64 base64url bytes"));
    const input = Buffer.from(`${parts[0]}.${Buffer.from(payload).toString("base64url")}`, "ascii");
    return new Promise((resolve, reject) =>
      cryptoVerify(null, input, key.key, signature, (err, ok) => (err || !ok ? reject(new Error(`JWS signature by ${key.kid} does not verify`)) : resolve())),
    );
  }
}
