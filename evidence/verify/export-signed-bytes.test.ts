import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { exportSignedBytes } from "./export-signed-bytes.ts";

const reference = (text: string, end: number) => new TextEncoder().encode(`${text.slice(0, end)}}`);

describe("exportSignedBytes", () => {
  it.each([
    ["an ASCII export", '{"a":1,"exportSignature":"x"}'],
    ["a few non-ASCII characters (the usual export)", '{"note":"≤ 3 s — naïve","exportSignature":"x"}'],
    ["more non-ASCII than the slack holds, so the buffer grows", `{"t":"${"é≤😀".repeat(2000)}","exportSignature":"x"}`],
    ["a surrogate pair across the slack's edge", `{"t":"${"a".repeat(10)}${"😀".repeat(700)}","exportSignature":"x"}`],
    ["lone surrogates (encoded as U+FFFD, as TextEncoder does)", '{"t":"\uD800x\uDC00","exportSignature":"x"}'],
    ["nothing before the marker", ',"exportSignature":"x"}'],
  ])("gives TextEncoder's bytes of the signed prefix and its closing brace: %s", (_, text) => {
    const end = text.lastIndexOf(',"exportSignature":');
    const bytes = exportSignedBytes(text, end);
    expect(Buffer.from(bytes).equals(Buffer.from(reference(text, end)))).toBe(true);
    expect(bytes.at(-1)).toBe(0x7d);
  });

  it("gives TextEncoder's bytes for any text and any end, lone surrogates included", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 3000 }), fc.nat(), (text, at) => {
        const end = text.length === 0 ? 0 : at % (text.length + 1);
        expect(Buffer.from(exportSignedBytes(text, end)).equals(Buffer.from(reference(text, end)))).toBe(true);
      }),
      { numRuns: 100 },
    );
  });
});
