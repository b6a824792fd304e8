// RFC 6962 §2.1 / RFC 9162 §2.1.1 hashing (domain-separated leaf and node hashes) and strict base64.

import { Buffer } from "node:buffer";
import { hash, timingSafeEqual } from "node:crypto";
import { MaestroError } from "../../common/errors.ts";

export const HASH_SIZE = 32;

const LEAF_PREFIX = Uint8Array.of(0x00);
const NODE_PREFIX = Uint8Array.of(0x01);

/**
 * One-shot SHA-256 of the parts' concatenation. crypto.hash avoids a Hash object per call, and the Buffer it returns
 * (with its own 32-byte ArrayBuffer) is viewed, not copied: both showed in append and verify profiles.
 */
function sha256(...parts: Uint8Array[]): Uint8Array {
  const only = parts.length === 1 ? parts[0] : undefined;
  const digest = hash("sha256", only ?? Buffer.concat(parts), "buffer");
  return new Uint8Array(digest.buffer, digest.byteOffset, digest.byteLength); // a plain view, so hashes compare as Uint8Array
}

/** MTH({}) = SHA-256() — the root of the empty tree (RFC 9162 §2.1.1). */
export const EMPTY_ROOT: Uint8Array = sha256();

/** MTH({d(0)}) = SHA-256(0x00 || d(0)): the 0x00 prefix keeps leaves distinct from nodes (second preimages). */
export function leafHash(bytes: Uint8Array): Uint8Array {
  return sha256(LEAF_PREFIX, bytes);
}

/** SHA-256(0x01 || left || right) for an interior node (RFC 9162 §2.1.1). */
export function nodeHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  return sha256(NODE_PREFIX, left, right);
}

/** Byte equality; constant-time when lengths match (hashes are public, but it costs nothing). */
export function hashEquals(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

export function toBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64");
}

const B64_RE = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Strict standard base64 (RFC 4648 §4, padded): Node's decoder silently skips junk, so we check
 * the alphabet and padding, then require the canonical re-encoding (no stray trailing bits).
 */
export function fromBase64(text: string, field = "base64"): Uint8Array {
  if (typeof text !== "string" || !B64_RE.test(text)) {
    throw new MaestroError("bad_request", `${field}: not valid padded standard base64`, { field });
  }
  const bytes = Buffer.from(text, "base64");
  if (bytes.toString("base64") !== text) {
    throw new MaestroError("bad_request", `${field}: non-canonical base64`, { field });
  }
  return new Uint8Array(bytes);
}

/** Decodes a base64 SHA-256 hash, rejecting anything that is not exactly 32 bytes. */
export function decodeHash(text: string, field = "hash"): Uint8Array {
  const bytes = fromBase64(text, field);
  if (bytes.length !== HASH_SIZE) {
    throw new MaestroError("bad_request", `${field}: expected ${HASH_SIZE} bytes, got ${bytes.length}`, {
      field,
      details: { length: bytes.length },
    });
  }
  return bytes;
}
