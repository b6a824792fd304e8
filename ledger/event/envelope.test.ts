// parseCanonicalEvent accepts exactly a valid envelope's RFC 8785 bytes, and says why it refuses the rest.
import { describe, expect, it } from "vitest";
import canonicalize from "canonicalize";
import { parseCanonicalEvent } from "./envelope.ts";

describe("parseCanonicalEvent", () => {
  const event = {
    v: 1,
    id: "3f2a8c1e-1b2c-4d5e-8f90-0a1b2c3d4e5f",
    kind: "decision",
    time: "2026-01-01T00:00:00.000Z",
    actor: { type: "agent", id: "a" },
    payload: {},
  };
  const bytes = Buffer.from(canonicalize(event)!);

  it("accepts canonical bytes, integer-like keys in RFC 8785 order included", () => {
    expect(parseCanonicalEvent(bytes)).toEqual(event);
    // V8 lists "9" before "10", RFC 8785 the other way round; the canonical text must still pass, the other not.
    const numbered = { ...event, payload: { "10": 1, "9": 2 } };
    expect(parseCanonicalEvent(Buffer.from(canonicalize(numbered)!))).toEqual(numbered);
    expect(() => parseCanonicalEvent(Buffer.from(JSON.stringify(numbered)))).toThrow(/canonical/);
  });

  it("refuses bytes that are not UTF-8, even when decoding them would keep their length", () => {
    const bad = Buffer.from(bytes);
    bad[bytes.indexOf("a", 60)] = 0xff;
    expect(() => parseCanonicalEvent(bad)).toThrow(/UTF-8/);
    // A 4-byte sequence cut after 3 bytes decodes to one U+FFFD, itself 3 bytes long: a length check passes it.
    const cut = Buffer.from(canonicalize({ ...event, payload: { s: "x" } })!);
    const truncated = Buffer.concat([
      cut.subarray(0, cut.indexOf('"x"') + 1),
      Buffer.from([0xf0, 0x9f, 0x98]),
      cut.subarray(cut.indexOf('"x"') + 2),
    ]);
    expect(Buffer.byteLength(truncated.toString("utf8"))).toBe(truncated.length);
    expect(() => parseCanonicalEvent(truncated)).toThrow(/UTF-8/);
  });

  it("refuses text that is not JSON, not canonical, or not an envelope", () => {
    expect(() => parseCanonicalEvent(Buffer.from("{not json"))).toThrow(/not JSON/);
    expect(() => parseCanonicalEvent(Buffer.from(JSON.stringify(event, null, 1)))).toThrow(/canonical/);
    expect(() => parseCanonicalEvent(Buffer.from(canonicalize({ ...event, v: 2 })!))).toThrow();
    // A lone surrogate has no RFC 8785 form, even escaped.
    expect(() => parseCanonicalEvent(Buffer.from(canonicalize(event)!.replace('"id":"a"', '"id":"\\ud800"')))).toThrow(/canonical/);
  });
});
