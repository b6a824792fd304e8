import { Buffer } from "node:buffer";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { bufferSigningInput } from "./event-signature.ts";
import { jwsSigningInput } from "./jws-signing-input.ts";

const HEADER = "eyJhbGciOiJFZERTQSIsImtpZCI6ImsxIn0";

describe("jwsSigningInput", () => {
  it("writes exactly Node's ASCII(header.base64url(payload)) for every payload length and byte", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (payload) => {
        const expected = Buffer.from(`${HEADER}.${Buffer.from(payload).toString("base64url")}`, "ascii");
        expect(Buffer.from(jwsSigningInput(HEADER, payload)).equals(expected)).toBe(true);
        expect(Buffer.from(bufferSigningInput(HEADER, payload)).equals(expected)).toBe(true);
      }),
    );
  });

  it("reads only the payload's own view of a shared buffer", () => {
    const backing = Uint8Array.from({ length: 64 }, (_, i) => i);
    const view = backing.subarray(7, 12);
    expect(new TextDecoder().decode(jwsSigningInput("h", view))).toBe(`h.${Buffer.from(view).toString("base64url")}`);
  });

  it("refuses a header that is not ASCII rather than writing a truncated byte", () => {
    expect(() => jwsSigningInput("eyJé", new Uint8Array([1]))).toThrow(/not ASCII/);
  });
});
