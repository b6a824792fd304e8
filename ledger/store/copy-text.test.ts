// The COPY text reader: escapes, NULLs and line widths as PostgreSQL writes them, and refusal of anything else.
import { describe, expect, it } from "vitest";
import { parseCopyText } from "./copy-text.ts";

const bytes = (text: string) => new Uint8Array(Buffer.from(text, "utf8"));

describe("parseCopyText", () => {
  it("splits lines and values and undoes every escape COPY TO writes", () => {
    const data = bytes("a\\tb\\\\c\\nd\\re\\bf\\fg\\vh\tt\t\\N\n\\\\N\t\t✓ é\n");
    expect(parseCopyText(data, 3)).toEqual([
      ["a\tb\\c\nd\re\bf\fg\vh", "t", null],
      ["\\N", "", "✓ é"],
    ]);
  });

  it("reads no rows from no data", () => {
    expect(parseCopyText(new Uint8Array(0), 2)).toEqual([]);
  });

  it("refuses a line of another width, a cut last line and escapes COPY TO never writes", () => {
    expect(() => parseCopyText(bytes("a\tb\tc\n"), 2)).toThrow(/a line of 3 values, expected 2/);
    expect(() => parseCopyText(bytes("a\tb\nc"), 2)).toThrow(/does not end with a full line/);
    expect(() => parseCopyText(bytes("\\x41\tb\n"), 2)).toThrow(/an escape COPY TO does not write \(\\x\)/);
    expect(() => parseCopyText(bytes("\\101\tb\n"), 2)).toThrow(/\(\\1\)/);
    expect(() => parseCopyText(bytes("a\\\tb\n"), 2)).toThrow(/an escape COPY TO does not write \(\\\)/);
  });
});
