import { describe, expect, it } from "vitest";
import { itemAt, MissingValueError, present } from "./present.ts";

describe("present", () => {
  it("returns a value that is there, including falsy ones", () => {
    expect(present(0, "count")).toBe(0);
    expect(present("", "name")).toBe("");
    expect(present(false, "flag")).toBe(false);
  });

  it("throws a MissingValueError naming what was missing", () => {
    const map = new Map([["a", 1]]);
    expect(() => present(map.get("b"), "row b")).toThrow(MissingValueError);
    expect(() => present(map.get("b"), "row b")).toThrow(/^row b is missing/);
    expect(() => present(null, "expires_at")).toThrow(new MissingValueError("expires_at"));
  });
});

describe("itemAt", () => {
  it("reads an index in range of arrays and typed arrays", () => {
    expect(itemAt(["x", "y"], 1, "names")).toBe("y");
    expect(itemAt(new Uint8Array([7, 0]), 1, "bytes")).toBe(0);
  });

  it("throws naming the list, the index and the length when out of range", () => {
    expect(() => itemAt([1, 2], 2, "hashes")).toThrow(new MissingValueError("hashes[2] (length 2)"));
    expect(() => itemAt(new Uint8Array(1), -1, "bytes")).toThrow(MissingValueError);
  });
});
