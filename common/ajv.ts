// One configured ajv instance (draft 2020-12, formats, every error) and the boundary checks built on it; ajv-errors.ts words
// its errors for people, field by field.
import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";
import { describeAjvErrors, type SchemaFailure } from "./ajv-errors.ts";
import { MaestroError } from "./errors.ts";
import { jsonShapeProblem } from "./json-shape.ts";
import { itemAt } from "./present.ts";
import addFormatsModule from "ajv-formats";

// ajv-formats is CommonJS; its default export arrives wrapped under ESM.
const addFormats = (addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule;

// allErrors: a caller fixes every problem of a body in one round trip instead of one per request. The checks a
// valid body runs are the same either way; only an invalid body is walked to the end.
// The console's build compiles the same schemas with these options into standalone code (console/precompile-schemas.ts):
// its strict CSP forbids the eval ajv compiles with.
export const AJV_OPTIONS = { allErrors: true, strict: true, allowUnionTypes: true } as const;
export const ajv = new Ajv2020(AJV_OPTIONS);
(addFormats as unknown as (a: Ajv2020) => void)(ajv);

export { describeAjvError, describeAjvErrors, fieldName, type FieldProblem, type SchemaFailure } from "./ajv-errors.ts";

/** Compiles once; the returned check yields every failure (the first as field/message) or null. */
export function compileSchema(schema: object): (value: unknown) => SchemaFailure | null {
  const validate: ValidateFunction = ajv.compile(schema);
  return (value) => (validate(value) ? null : describeAjvErrors(validate.errors!));
}

/**
 * Runs a compiled check at a boundary: failures become a 400 `invalid_field` naming the first field and listing
 * every problem (error.details on the wire). Every body is first held to json-shape.ts (bounded nesting, no lone
 * surrogates), which a schema cannot say of free-form members.
 */
export function validated<T>(check: (value: unknown) => SchemaFailure | null, body: unknown): T {
  const failure = jsonShapeProblem(body) ?? check(body);
  if (failure) throw invalidFields(failure);
  return body as T;
}

/** The 400 for one or more field problems: the message lists them all, the field is the first. */
export function invalidFields(failure: SchemaFailure): MaestroError {
  const problems = "problems" in failure && failure.problems?.length ? failure.problems : [failure];
  return new MaestroError("invalid_field", problems.map((p) => p.message).join("; "), {
    field: itemAt(problems, 0, "field problems").field,
    problems,
  });
}
