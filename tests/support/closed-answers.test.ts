// closedAnswer refuses the fields a schema does not list, at every level, without refusing what allOf or a branch adds,
// and leaves alone what a schema says itself (additionalProperties) and the schema it was given.
import { Ajv2020 } from "ajv/dist/2020.js";
import { describe, expect, it } from "vitest";
import { closedAnswer } from "./closed-answers.ts";

const valid = (schema: object, value: unknown) => new Ajv2020({ strict: false }).validate(closedAnswer(schema) as object, value);

const subscription = { type: "object", required: ["id"], properties: { id: { type: "string" } } };

describe("closedAnswer", () => {
  it("refuses a field the schema does not list, at the top and in members and items", () => {
    const list = { type: "object", properties: { items: { type: "array", items: subscription } } };
    expect(valid(list, { items: [{ id: "a" }] })).toBe(true);
    expect(valid(list, { items: [{ id: "a" }], extra: 1 })).toBe(false);
    expect(valid(list, { items: [{ id: "a", extra: 1 }] })).toBe(false);
  });

  it("takes the fields of every allOf part, and of the branch that matched", () => {
    const created = { allOf: [subscription, { type: "object", properties: { secret: { type: "string" } } }] };
    expect(valid(created, { id: "a", secret: "s" })).toBe(true);
    expect(valid(created, { id: "a", secret: "s", extra: 1 })).toBe(false);
    const tagged = { type: "object", properties: { kind: { type: "string" } }, oneOf: [{ properties: { a: { type: "integer" } } }] };
    expect(valid(tagged, { kind: "k", a: 1 })).toBe(true);
    expect(valid(tagged, { kind: "k", a: 1, b: 2 })).toBe(false);
    const nullable = { oneOf: [{ type: "null" }, subscription] };
    expect(valid(nullable, null)).toBe(true);
    expect(valid(nullable, { id: "a", extra: 1 })).toBe(false);
  });

  it("closes one shared schema where it stands alone and not where it is an allOf part", () => {
    const both = {
      type: "object",
      properties: { one: subscription, withSecret: { allOf: [subscription, { properties: { secret: {} } }] } },
    };
    expect(valid(both, { one: { id: "a" }, withSecret: { id: "b", secret: "s" } })).toBe(true);
    expect(valid(both, { one: { id: "a", secret: "s" } })).toBe(false);
  });

  it("keeps an object a schema declares open, and objects described by no field at all", () => {
    const open = { type: "object", additionalProperties: true, properties: { bomFormat: { const: "CycloneDX" } } };
    expect(valid(open, { bomFormat: "CycloneDX", metadata: {} })).toBe(true);
    expect(valid({ type: "object", properties: { args: { type: "object" } } }, { args: { anything: 1 } })).toBe(true);
  });

  it("does not change the schema it was given", () => {
    const schema = structuredClone(subscription);
    closedAnswer(schema);
    expect(schema).toEqual(subscription);
  });
});
