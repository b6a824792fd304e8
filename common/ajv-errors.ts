// How a JSON Schema failure reads for people, field by field: ajv's errors worded, with no ajv at run time, so a
// precompiled validator (ledger/event/envelope-validator.generated.cjs) is worded without loading ajv itself.
import type { ErrorObject } from "ajv/dist/2020.js";
import { itemAt } from "./present.ts";

export interface FieldProblem {
  /** JSON pointer of the offending field, e.g. "/args/path" or "/runset" for a missing one. */
  field: string;
  message: string;
}

export interface SchemaFailure extends FieldProblem {
  /** Every problem found, the first one repeated (field and message above are the first's). */
  problems?: FieldProblem[];
}

/** At most this many problems are reported; a body wrong in a thousand places needs only the first few to be fixed. */
const MAX_PROBLEMS = 20;

/** "/artifacts/0/digest" → "artifacts[0].digest": how a person names a field, from its JSON pointer. */
export function fieldName(pointer: string): string {
  if (pointer === "" || pointer === "/") return "the body";
  return pointer
    .split("/")
    .slice(1)
    .map((part) => part.replaceAll("~1", "/").replaceAll("~0", "~"))
    .reduce((out, part) => (/^\d+$/.test(part) ? `${out}[${part}]` : out ? `${out}.${part}` : part), "");
}

const TYPE_WORDS: Record<string, string> = {
  string: "a string",
  number: "a number",
  integer: "an integer",
  boolean: "true or false",
  object: "an object",
  array: "an array",
  null: "null",
};

function typeWords(type: unknown): string {
  const list = (Array.isArray(type) ? type : [type]).map((t) => TYPE_WORDS[String(t)] ?? String(t));
  return list.length > 1 ? `${list.slice(0, -1).join(", ")} or ${list.at(-1)}` : (list[0] ?? "");
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

/** One ajv error as a field and a sentence a person reads: "session is required", not "must have required property". */
export function describeAjvError(error: ErrorObject): FieldProblem {
  const p = error.params as Record<string, any>;
  let field = error.instancePath || "/";
  if (error.keyword === "required") field = `${error.instancePath}/${p.missingProperty}`;
  if (error.keyword === "additionalProperties") field = `${error.instancePath}/${p.additionalProperty}`;
  const name = fieldName(field);
  const message = ((): string => {
    switch (error.keyword) {
      case "required":
        return `${name} is required`;
      case "additionalProperties":
        return `${name} is not a known field`;
      case "type":
        return `${name} must be ${typeWords(p.type)}`;
      case "enum":
        return `${name} must be one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(", ")}`;
      case "const":
        return `${name} must be ${JSON.stringify(p.allowedValue)}`;
      case "minLength":
        return p.limit === 1 ? `${name} must not be empty` : `${name} must be at least ${plural(p.limit, "character")}`;
      case "maxLength":
        return `${name} must be at most ${plural(p.limit, "character")}`;
      case "minItems":
        return `${name} must have at least ${plural(p.limit, "item")}`;
      case "maxItems":
        return `${name} must have at most ${plural(p.limit, "item")}`;
      case "minProperties":
        return `${name} must have at least ${plural(p.limit, "member")}`;
      case "maxProperties":
        return `${name} must have at most ${plural(p.limit, "member")}`;
      case "uniqueItems":
        return `${name} must not repeat an item (items ${p.j} and ${p.i} are the same)`;
      case "minimum":
      case "maximum":
      case "exclusiveMinimum":
      case "exclusiveMaximum":
        return `${name} must be ${p.comparison} ${p.limit}`;
      case "format":
        return `${name} must be a valid ${p.format}`;
      case "pattern":
        // Free text (reasons, justifications) carries "pattern": "\\S": say what that means.
        return p.pattern === "\\S" ? `${name} must not be blank` : `${name} must match ${p.pattern}`;
      default:
        return `${name} ${error.message ?? "is invalid"}`;
    }
  })();
  return { field, message };
}

/** Every problem of one validation, worded, one per field, combinators' summaries dropped when a concrete error exists. */
export function describeAjvErrors(errors: ErrorObject[]): SchemaFailure {
  const concrete = errors.filter((e) => !["anyOf", "oneOf", "if", "not"].includes(e.keyword));
  const seen = new Set<string>();
  const problems: FieldProblem[] = [];
  for (const error of concrete.length > 0 ? concrete : errors) {
    const problem = describeAjvError(error);
    if (seen.has(problem.field)) continue;
    seen.add(problem.field);
    problems.push(problem);
    if (problems.length === MAX_PROBLEMS) break;
  }
  // ajv reports a failed validation with at least one error, so there is a first problem to name.
  return { ...itemAt(problems, 0, "worded validation errors"), problems };
}
