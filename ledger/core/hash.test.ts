// Tests for RFC 6962 hashing constants and strict base64 decoding.
import { describe, expect, it } from "vitest";
import { MaestroError } from "../../common/errors.ts";
import { decodeHash, EMPTY_ROOT, fromBase64, leafHash, nodeHash, toBase64 } from "./hash.ts";

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

describe("hash", () => {
  it("EMPTY_ROOT is SHA-256 of the empty string", () => {
    expect(hex(EMPTY_ROOT)).toBe("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  });

  it("leafHash prefixes 0x00 and nodeHash prefixes 0x01 (known CT values)", () => {
    expect(hex(leafHash(new Uint8Array()))).toBe("6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d");
    const l = leafHash(Uint8Array.of(0));
    expect(hex(l)).toBe("96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7");
    const n = nodeHash(leafHash(new Uint8Array()), l);
    expect(n).not.toEqual(leafHash(Uint8Array.of(...leafHash(new Uint8Array()), ...l)));
    expect(n.length).toBe(32);
  });

  it("base64 round trips and is strict", () => {
    const b = Uint8Array.of(1, 2, 3, 250);
    expect(fromBase64(toBase64(b))).toEqual(b);
    expect(fromBase64("")).toEqual(new Uint8Array());
    for (const bad of ["AQID+g", "AQI D+g==", "AQID+g=", "AR==", "AQID-g==", "====", "A===", "AQID+g==\n"]) {
      expect(() => fromBase64(bad), bad).toThrow(MaestroError);
    }
  });

  it("decodeHash requires exactly 32 bytes", () => {
    expect(decodeHash(toBase64(EMPTY_ROOT))).toEqual(EMPTY_ROOT);
    try {
      decodeHash(toBase64(new Uint8Array(31)), "root");
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(MaestroError);
      expect((e as MaestroError).code).toBe("bad_request");
      expect((e as MaestroError).field).toBe("root");
    }
  });
});
