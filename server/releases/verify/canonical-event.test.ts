// The fast JCS check agrees with the canonicalize library the ledger writes with, and rejects what it must.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import canonicalize from "canonicalize";
import { canonicalText, jcs, parseCanonical } from "./canonical-event.ts";

describe("jcs", () => {
  it("matches the canonicalize library on arbitrary JSON", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        const parsed = JSON.parse(JSON.stringify(v) ?? "null");
        expect(jcs(parsed)).toBe(canonicalize(parsed));
      }),
      { numRuns: 300 },
    );
  });

  it("the native fast path accepts exactly the texts that are canonical", () => {
    // Texts both canonical (via canonicalize) and not (JSON.stringify keeps insertion order, integer-like keys first).
    const keyed = fc.dictionary(fc.oneof(fc.string(), fc.constantFrom("1", "10", "9", "a", "B", "\u00e9", "\ud83d\ude00")), fc.jsonValue());
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), keyed), fc.boolean(), (v, canonicalForm) => {
        const text = canonicalForm ? canonicalize(v)! : JSON.stringify(v);
        const parsed = JSON.parse(text);
        expect(canonicalText(parsed, text) === text).toBe(canonicalize(parsed) === text);
      }),
      { numRuns: 500 },
    );
    expect(canonicalText({ "10": 1, "9": 2 }, '{"10":1,"9":2}')).toBe('{"10":1,"9":2}');
    expect(() => canonicalText(JSON.parse('{"a":"\\ud800"}'), '{"a":"\\ud800"}')).toThrow(/surrogate/);
  });

  it("rejects non-canonical, non-UTF-8 and non-envelope bytes", () => {
    const event = { v: 1, id: "3f2a8c1e-1b2c-4d5e-8f90-0a1b2c3d4e5f", kind: "decision", time: "2026-01-01T00:00:00.000Z", actor: { type: "agent", id: "a" }, payload: {} };
    const bytes = Buffer.from(canonicalize(event)!);
    expect(parseCanonical(bytes)).toEqual(event);
    expect(() => parseCanonical(Buffer.from(JSON.stringify(event, null, 1)))).toThrow(/canonical/);
    const bad = Buffer.from(bytes);
    bad[bytes.indexOf("a", 60)] = 0xff;
    expect(() => parseCanonical(bad)).toThrow(/UTF-8/);
    expect(() => parseCanonical(Buffer.from(canonicalize({ ...event, v: 2 })!))).toThrow();
  });
});
