// Detached-payload JWS (RFC 7515 Appendix F) over canonical bytes, EdDSA / Ed25519: how ledger events and the export are signed.
import { verify as cryptoVerify } from "node:crypto";
import type { EventKey } from "./keys.ts";

/**
 * The RFC 7515 check (EdDSA over "header.base64url(payload)") done with node:crypto directly, headers parsed once,
 * and the Ed25519 work queued on libuv's thread pool so it overlaps with hashing on the main thread. jose's
 * per-call WebCrypto import made 10,000 events take seconds, and its copies of a 16 MB export payload cost ~50 ms.
 * (Tests check that jose's flattenedVerify accepts what the ledger signs, so this is the same standard check.)
 */
export class DetachedJwsVerifier {
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
    const encoded = Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength).toString("base64url");
    const input = Buffer.from(`${parts[0]}.${encoded}`, "latin1");
    return new Promise((resolve, reject) =>
      cryptoVerify(null, input, key.key, signature, (err, ok) => (err || !ok ? reject(new Error(`JWS signature by ${key.kid} does not verify`)) : resolve())),
    );
  }
}
