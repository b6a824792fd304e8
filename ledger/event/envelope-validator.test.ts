// The committed, precompiled envelope validator is what ajv compiles from the schema today, and judges as it does.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { compileSchema } from "../../common/ajv.ts";
import envelopeSchema from "../../schemas/ledger/event.schema.json" with { type: "json" };
import { validateEnvelope } from "./envelope-schema.ts";
import { envelopeValidatorSource, GENERATED_VALIDATOR } from "./precompile-envelope.ts";

// Members in RFC 8785 order, as events are stamped.
const valid = {
  actor: { type: "agent", id: "a" },
  id: "3f2a8c1e-1b2c-4d5e-8f90-0a1b2c3d4e5f",
  kind: "decision",
  payload: { decision: "allow" },
  subject: { type: "decision", id: "d-1" },
  time: "2026-01-01T00:00:00.000Z",
  v: 1,
};

describe("envelope-validator.generated.cjs", () => {
  it("is what precompile-envelope.ts writes from the schema (run `node ledger/event/precompile-envelope.ts` if not)", () => {
    expect(readFileSync(GENERATED_VALIDATOR, "utf8")).toBe(envelopeValidatorSource());
  });

  it("accepts and refuses what the schema compiled at run time does, with the same first field and message", () => {
    const compiled = compileSchema(envelopeSchema);
    const cases: unknown[] = [
      valid,
      { ...valid, v: 2 },
      { ...valid, id: "not-a-uuid" },
      { ...valid, time: "2026-13-01T00:00:00Z" },
      { ...valid, kind: "Decision" },
      { ...valid, actor: { type: "robot", id: "a" } },
      { ...valid, extra: true },
      { ...valid, payload: [] },
      Object.fromEntries(Object.entries(valid).filter(([k]) => k !== "payload")),
      null,
      "event",
    ];
    let refused = 0;
    for (const event of cases) {
      const expected = compiled(event);
      if (expected === null) {
        expect(() => validateEnvelope(event)).not.toThrow();
        continue;
      }
      refused++;
      let thrown: unknown;
      try {
        validateEnvelope(event);
      } catch (err) {
        thrown = err;
      }
      expect(thrown, JSON.stringify(event)).toMatchObject({ message: `ledger event ${expected.message}`, field: expected.field });
    }
    expect(refused).toBe(cases.length - 1);
  });
});
