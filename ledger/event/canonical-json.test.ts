// canonicalJson must write exactly what the canonicalize library writes, and refuse what it refuses.
import fc from "fast-check";
import canonicalize from "canonicalize";
import { describe, expect, it } from "vitest";
import { canonicalJson } from "./canonical-json.ts";

/** Either both throw, or both give the same text. */
function expectSameAsLibrary(value: unknown): void {
  let expected: string | undefined;
  try {
    expected = canonicalize(value);
  } catch {
    expect(() => canonicalJson(value)).toThrow();
    return;
  }
  if (expected === undefined) expect(() => canonicalJson(value)).toThrow(/not representable/);
  else expect(canonicalJson(value)).toBe(expected);
}

/** Keys that sort differently by code unit, by number, and by V8's enumeration order. */
const awkwardKey = fc.oneof(
  fc.string(),
  fc.constantFrom("1", "10", "9", "a", "B", "_", "\u00e9", "\ud83d\ude00", "\uff61", "__proto__", "toJSON"),
);

/** Objects built by assignment in random order (as producers build them), with undefined members here and there. */
const built: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: "small" }, fc.jsonValue({ maxDepth: 1 }), tie("object"), tie("array")),
  object: fc.array(fc.tuple(awkwardKey, fc.oneof(tie("value"), fc.constant(undefined))), { maxLength: 6 }).map((pairs) => {
    const o: Record<string, unknown> = {};
    for (const [k, v] of pairs) Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
    return o;
  }),
  array: fc.array(tie("value"), { maxLength: 4 }),
})).value;

describe("canonicalJson", () => {
  it("matches the canonicalize library on parsed JSON", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => expectSameAsLibrary(JSON.parse(JSON.stringify(v) ?? "null"))),
      { numRuns: 300 },
    );
  });

  it("matches it on objects built in any key order, with undefined members and integer-like keys", () => {
    fc.assert(fc.property(built, expectSameAsLibrary), { numRuns: 500 });
  });

  it("sorts by UTF-16 code units, not by code point or number", () => {
    // U+1F600 is \ud83d\ude00: it sorts before U+FF61 by code unit, after it by code point.
    expect(canonicalJson({ "\uff61": 1, "\ud83d\ude00": 2, b: 3, a: { d: [1, { z: 0, y: null }], c: true } })).toBe(
      '{"a":{"c":true,"d":[1,{"y":null,"z":0}]},"b":3,"\ud83d\ude00":2,"\uff61":1}',
    );
    expect(canonicalJson({ "10": 1, "9": 2, a: 0 })).toBe('{"10":1,"9":2,"a":0}');
    expect(canonicalJson(JSON.parse('{"__proto__":{"b":1,"a":2},"x":1e21,"y":-0}'))).toBe('{"__proto__":{"a":2,"b":1},"x":1e+21,"y":0}');
  });

  it("leaves out undefined members and unwraps toJSON as JSON does", () => {
    expect(canonicalJson({ b: undefined, a: 1 })).toBe('{"a":1}');
    expect(canonicalJson({ when: new Date(0), a: [1] })).toBe('{"a":[1],"when":"1970-01-01T00:00:00.000Z"}');
  });

  it("refuses what RFC 8785 cannot write", () => {
    expect(() => canonicalJson({ a: Number.NaN })).toThrow();
    expect(() => canonicalJson({ a: Number.POSITIVE_INFINITY })).toThrow();
    expect(() => canonicalJson({ a: "\ud800" })).toThrow(/surrogate/i);
    const cycle: Record<string, unknown> = { a: 1 };
    cycle.self = cycle;
    expect(() => canonicalJson(cycle)).toThrow(/circular/i);
    expect(() => canonicalJson(undefined)).toThrow(/not representable/);
  });
});
