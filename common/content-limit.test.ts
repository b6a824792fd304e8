import { describe, expect, it } from "vitest";
import { clipContent } from "./content-limit.ts";

describe("clipContent", () => {
  it("leaves text within the bound as it is", () => {
    expect(clipContent("abc", 3)).toBe("abc");
    expect(clipContent("", 0)).toBe("");
  });

  it("keeps the first bytes of longer text, never more than the bound", () => {
    expect(clipContent("abcdef", 4)).toBe("abcd");
  });

  it("cuts on a character boundary: a character split by the bound is left out", () => {
    // "é" is 2 bytes, "€" 3: a cut inside either drops it rather than sending a replacement character.
    expect(clipContent("aé", 2)).toBe("a");
    expect(clipContent("a€b", 3)).toBe("a");
    expect(clipContent("a€b", 4)).toBe("a€");
    for (let max = 0; max < 12; max++) expect(Buffer.byteLength(clipContent("x€é€y", max))).toBeLessThanOrEqual(max);
  });
});
