import { describe, expect, it } from "vitest";
import { readText } from "./read-text.ts";

describe("readText", () => {
  it("takes a string as it is (Codex's Bash and apply_patch responses)", () => {
    expect(readText("Exit code: 0\nOutput:\nok\n")).toBe("Exit code: 0\nOutput:\nok\n");
  });

  it("joins every string of an object or array, in order, one per line, so multi-line secrets stay whole", () => {
    const read = { type: "text", file: { filePath: "/w/a.pem", content: "-----BEGIN\nAAAA\n-----END", numLines: 3 } };
    expect(readText(read)).toBe("text\n/w/a.pem\n-----BEGIN\nAAAA\n-----END");
    expect(
      readText([
        { type: "text", text: "one" },
        { type: "text", text: "two" },
      ]),
    ).toBe("text\none\ntext\ntwo");
  });

  it("has nothing to say of a response without strings", () => {
    expect(readText(undefined)).toBe("");
    expect(readText(null)).toBe("");
    expect(readText({ code: 200, ok: true, list: [1, 2] })).toBe("");
  });
});
