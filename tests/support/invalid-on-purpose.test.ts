// A request is marked invalid on purpose by its header or by the window it is sent in, and by nothing else.
import { describe, expect, it } from "vitest";
import { invalidOnPurpose, invalidOnPurposeReason, whileInvalidOnPurpose } from "./invalid-on-purpose.ts";

describe("invalid on purpose", () => {
  it("reads the reason from the header, which carries any text", () => {
    expect(invalidOnPurposeReason(new Headers(invalidOnPurpose("a NUL in the scope — on purpose").headers))).toBe(
      "a NUL in the scope — on purpose",
    );
    expect(invalidOnPurposeReason(new Headers())).toBeUndefined();
    expect(() => invalidOnPurpose(" ")).toThrow(/needs the reason/);
  });

  it("marks requests only while the window is open, and refuses a window without a reason or inside another", async () => {
    const seen = await whileInvalidOnPurpose("a resource past its bound", async () => {
      await expect(whileInvalidOnPurpose("again", async () => undefined)).rejects.toThrow(/do not nest/);
      return invalidOnPurposeReason(new Headers());
    });
    expect(seen).toBe("a resource past its bound");
    expect(invalidOnPurposeReason(new Headers())).toBeUndefined();
    await expect(whileInvalidOnPurpose("thrown", () => Promise.reject(new Error("refused")))).rejects.toThrow("refused");
    expect(invalidOnPurposeReason(new Headers())).toBeUndefined();
    await expect(whileInvalidOnPurpose("", async () => undefined)).rejects.toThrow(/needs the reason/);
  });
});
