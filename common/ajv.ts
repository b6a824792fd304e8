// One configured ajv instance (draft 2020-12, formats) and a helper that turns its first error into a field + message.
import { Ajv2020, type ValidateFunction, type ErrorObject } from "ajv/dist/2020.js";
import { MaestroError } from "./errors.ts";
import { jsonShapeProblem } from "./json-shape.ts";
import addFormatsModule from "ajv-formats";

// ajv-formats is CommonJS; its default export arrives wrapped under ESM.
const addFormats = (addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule;

export const ajv = new Ajv2020({ allErrors: false, strict: true, allowUnionTypes: true });
(addFormats as unknown as (a: Ajv2020) => void)(ajv);

export interface SchemaFailure {
  /** JSON pointer of the offending field, e.g. "/args/path" or "/runset" for a missing one. */
  field: string;
  message: string;
}

export function describeAjvError(error: ErrorObject): SchemaFailure {
  let field = error.instancePath || "/";
  if (error.keyword === "required") {
    field = `${error.instancePath}/${(error.params as { missingProperty: string }).missingProperty}`;
  } else if (error.keyword === "additionalProperties") {
    field = `${error.instancePath}/${(error.params as { additionalProperty: string }).additionalProperty}`;
    return { field, message: `has unknown field ${field}` };
  }
  // Free text (reasons, justifications) carries "pattern": "\\S": say what that means.
  if (error.keyword === "pattern" && (error.params as { pattern: string }).pattern === "\\S") return { field, message: `${field} must not be blank` };
  return { field, message: `${field} ${error.message ?? "is invalid"}` };
}

/** Compiles once; the returned check yields the first failure or null. */
export function compileSchema(schema: object): (value: unknown) => SchemaFailure | null {
  const validate: ValidateFunction = ajv.compile(schema);
  return (value) => (validate(value) ? null : describeAjvError(validate.errors![0]));
}

/**
 * Runs a compiled check at a boundary: the first failure becomes a 400 `invalid_field` naming the field. Every body
 * is first held to json-shape.ts (bounded nesting, no lone surrogates), which a schema cannot say of free-form members.
 */
export function validated<T>(check: (value: unknown) => SchemaFailure | null, body: unknown): T {
  const failure = jsonShapeProblem(body) ?? check(body);
  if (failure) throw new MaestroError("invalid_field", failure.message, { field: failure.field });
  return body as T;
}
