// Detached-payload JWS (RFC 7515 Appendix F) over canonical bytes, EdDSA / Ed25519: how ledger events and the export are signed.
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
