// parseCanonical accepts exactly a valid envelope's RFC 8785 bytes, and says why it refuses the rest.
import { describe, expect, it } from "vitest";
import canonicalize from "canonicalize";
import { parseCanonical } from "./canonical-event.ts";

describe("parseCanonical", () => {
  it("rejects non-canonical, non-UTF-8 and non-envelope bytes", () => {
    const event = { v: 1, id: "3f2a8c1e-1b2c-4d5e-8f90-0a1b2c3d4e5f", kind: "decision", time: "2026-01-01T00:00:00.000Z", actor: { type: "agent", id: "a" }, payload: {} };
    const bytes = Buffer.from(canonicalize(event)!);
    expect(parseCanonical(bytes)).toEqual(event);
    expect(() => parseCanonical(Buffer.from(JSON.stringify(event, null, 1)))).toThrow(/canonical/);
    const bad = Buffer.from(bytes);
    bad[bytes.indexOf("a", 60)] = 0xff;
    expect(() => parseCanonical(bad)).toThrow(/UTF-8/);
    expect(() => parseCanonical(Buffer.from(canonicalize({ ...event, v: 2 })!))).toThrow();
    // Integer-like keys: V8 lists "9" before "10", RFC 8785 the other way round; the canonical text must still pass.
    const numbered = { ...event, payload: { "10": 1, "9": 2 } };
    expect(parseCanonical(Buffer.from(canonicalize(numbered)!))).toEqual(numbered);
    expect(() => parseCanonical(Buffer.from(JSON.stringify(numbered)))).toThrow(/canonical/);
    // A lone surrogate has no RFC 8785 form, even escaped.
    expect(() => parseCanonical(Buffer.from(canonicalize(event)!.replace('"id":"a"', '"id":"\\ud800"')))).toThrow(/canonical/);
  });
});
