// Which member of an oversized event is named, and the bound itself (65,535 bytes: a C2SP entry bundle's 16-bit length).
import { describe, expect, it } from "vitest";
import { isMaestroError } from "../../common/errors.ts";
import { canonicalBytes } from "./envelope.ts";
import { checkEntrySize, largestMember, MAX_ENTRY_BYTES, payloadField } from "./entry-size.ts";

const big = "x".repeat(70_000);

describe("largestMember", () => {
  it("names one huge string exactly, and many middling members by their parent", () => {
    expect(largestMember({ payload: { call: { args: { note: big, path: "a" } } }, kind: "decision" })).toBe("/payload/call/args/note");
    const many = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`k${i}`, "y".repeat(7_000)]));
    expect(largestMember({ payload: { args: many }, id: "1" })).toBe("/payload/args");
    expect(largestMember({ payload: { list: ["a", big] } })).toBe("/payload/list/1");
    expect(largestMember({ payload: { "a/b~": big } })).toBe("/payload/a~1b~0");
  });
});

describe("checkEntrySize", () => {
  const eventOf = (n: number) => ({ payload: { note: "z".repeat(n) } });
  const overhead = canonicalBytes(eventOf(0)).length;

  it("takes an event of exactly 65,535 bytes and refuses one byte more, naming the request field", () => {
    const atBound = eventOf(MAX_ENTRY_BYTES - overhead);
    expect(canonicalBytes(atBound).length).toBe(MAX_ENTRY_BYTES);
    expect(() => checkEntrySize(atBound, canonicalBytes(atBound))).not.toThrow();
    const over = eventOf(MAX_ENTRY_BYTES - overhead + 1);
    let error: unknown;
    try {
      checkEntrySize(over, canonicalBytes(over));
    } catch (err) {
      error = err;
    }
    expect(isMaestroError(error) && error.code).toBe("invalid_field");
    expect(isMaestroError(error) && error.field).toBe("/note");
    expect(String((error as Error).message)).toContain("65536 bytes");
  });

  it("maps pointers outside the payload as they are", () => {
    expect(payloadField("/payload/args/x")).toBe("/args/x");
    expect(payloadField("/actor/id")).toBe("/actor/id");
    expect(payloadField("")).toBe("/");
  });
});
