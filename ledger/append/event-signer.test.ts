// The event JWS is standard RFC 7515: jose verifies it once the detached payload is re-attached, and rejects tampering.
import { generateKeyPairSync } from "node:crypto";
import { compactVerify, decodeProtectedHeader } from "jose";
import { describe, expect, it } from "vitest";
import { eventSigner } from "./event-signer.ts";
import type { SigningKey } from "../keys/key-files.ts";

function testKey(): SigningKey {
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
  return { purpose: "event", kid: "test-kid", privateKey, publicKey, publicJwk: {}, publicRaw: new Uint8Array(32) };
}

describe("eventSigner", () => {
  const key = testKey();
  const canonical = new TextEncoder().encode('{"kind":"decision","v":1}');

  it("produces a detached-payload JWS that jose verifies with the payload re-attached", async () => {
    const jws = await eventSigner(key).sign(canonical);
    const [header, payload, signature] = jws.split(".");
    expect(payload).toBe("");
    expect(decodeProtectedHeader(jws)).toEqual({ alg: "EdDSA", kid: "test-kid", typ: "maestro-event+jcs" });
    const attached = `${header}.${Buffer.from(canonical).toString("base64url")}.${signature}`;
    const { payload: verified } = await compactVerify(attached, key.publicKey);
    expect(new TextDecoder().decode(verified)).toBe('{"kind":"decision","v":1}');
  });

  it("does not verify over other bytes", async () => {
    const jws = await eventSigner(key).sign(canonical);
    const [header, , signature] = jws.split(".");
    const other = `${header}.${Buffer.from('{"kind":"decision","v":2}').toString("base64url")}.${signature}`;
    await expect(compactVerify(other, key.publicKey)).rejects.toThrow();
  });
});
