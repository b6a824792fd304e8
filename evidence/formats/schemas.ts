// The JSON Schemas every document we sign or accept is checked against (schemas/gsn, schemas/release), compiled once.
import { ajv, compileSchema, describeAjvErrors, type SchemaFailure } from "../../common/ajv.ts";
import goal from "../../schemas/gsn/goal.schema.json" with { type: "json" };
import strategy from "../../schemas/gsn/strategy.schema.json" with { type: "json" };
import solution from "../../schemas/gsn/solution.schema.json" with { type: "json" };
import context from "../../schemas/gsn/context.schema.json" with { type: "json" };
import assumption from "../../schemas/gsn/assumption.schema.json" with { type: "json" };
import justification from "../../schemas/gsn/justification.schema.json" with { type: "json" };
import link from "../../schemas/gsn/link.schema.json" with { type: "json" };
import safetyCase from "../../schemas/gsn/safety-case.schema.json" with { type: "json" };
import statement from "../../schemas/gsn/statement.schema.json" with { type: "json" };
import evidenceExport from "../../schemas/gsn/evidence-export.schema.json" with { type: "json" };
import release from "../../schemas/release/release.schema.json" with { type: "json" };
import releaseCreate from "../../schemas/release/release-create.schema.json" with { type: "json" };

/** Referenced by $ref from the documents below; registered once per process (ajv is shared). */
const REFERENCED = [goal, strategy, solution, context, assumption, justification, link, safetyCase, release];
for (const schema of REFERENCED) {
  if (!ajv.getSchema(schema.$id)) ajv.addSchema(schema);
}

/** Compiled at first use: a process that checks one kind of document (the CLI's verify) compiles only what it needs. */
function compiled(schema: { $id: string }): (value: unknown) => SchemaFailure | null {
  let check: ((value: unknown) => SchemaFailure | null) | undefined;
  return (value) => {
    if (!check) {
      // A referenced schema is already registered under its $id: reuse it instead of compiling a duplicate.
      const existing = ajv.getSchema(schema.$id);
      check = existing ? (v) => (existing(v) ? null : describeAjvErrors(existing.errors!)) : compileSchema(schema);
    }
    return check(value);
  };
}

export const checkSafetyCase = compiled(safetyCase);
export const checkStatement = compiled(statement);
export const checkEvidenceExport = compiled(evidenceExport);
export const checkRelease = compiled(release);
export const checkReleaseCreate = compiled(releaseCreate);

/** Every schema, keyed by its $id, for the OpenAPI document. */
export const RELEASE_SCHEMAS: Array<{ $id: string }> = [...REFERENCED, statement, evidenceExport, releaseCreate];
