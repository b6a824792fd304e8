import { describe, expect, it } from "vitest";
import { jsonShapeProblem, MAX_JSON_DEPTH } from "./json-shape.ts";

const nested = (levels: number) => JSON.parse(`${"[".repeat(levels)}${"]".repeat(levels)}`);

describe("jsonShapeProblem", () => {
  it("accepts plain JSON, including a member named __proto__", () => {
    expect(jsonShapeProblem(JSON.parse('{"a":[1,"x",{"__proto__":{"b":null}}],"c":true}'))).toBeNull();
    expect(jsonShapeProblem("text")).toBeNull();
  });

  it(`accepts ${MAX_JSON_DEPTH} levels of nesting and refuses ${MAX_JSON_DEPTH + 1}, naming the member`, () => {
    expect(jsonShapeProblem(nested(MAX_JSON_DEPTH))).toBeNull();
    expect(jsonShapeProblem(nested(MAX_JSON_DEPTH + 1))).toEqual({
      field: `/0`.repeat(MAX_JSON_DEPTH),
      message: expect.stringContaining("nesting"),
    });
    expect(jsonShapeProblem({ args: { x: nested(5000) } })?.field).toBe(`/args/x${"/0".repeat(MAX_JSON_DEPTH - 2)}`);
  });

  it("names a lone surrogate in a string or a key, escaping the pointer (RFC 6901)", () => {
    expect(jsonShapeProblem({ a: ["ok", "bad \ud800"] })?.field).toBe("/a/1");
    expect(jsonShapeProblem({ "x/y~z": { "k\udfff": 1 } })?.field).toBe("/x~1y~0z/k\udfff");
    expect(jsonShapeProblem("\udc00")).toEqual({ field: "/", message: expect.stringContaining("lone surrogate") });
    // A well-formed pair is fine.
    expect(jsonShapeProblem({ emoji: "\ud83d\ude00" })).toBeNull();
  });

  it("names a NUL in a string or a key", () => {
    expect(jsonShapeProblem({ resource: "src/\u0000x" })).toEqual({ field: "/resource", message: expect.stringContaining("NUL") });
    expect(jsonShapeProblem({ args: { "a\u0000": 1 } })?.field).toBe("/args/a\u0000");
    expect(jsonShapeProblem({ scope: { id: ["x", "\u0000"] } })?.field).toBe("/scope/id/1");
  });
});
