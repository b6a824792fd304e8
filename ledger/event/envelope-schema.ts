// Validation of the event envelope against schemas/ledger/event.schema.json, with the validator ajv compiled ahead of
// time (precompile-envelope.ts): each verifier thread starts without loading ajv or compiling the schema.
import { MaestroError } from "../../common/errors.ts";
import { describeAjvErrors } from "../../common/ajv-errors.ts";
import validate from "./envelope-validator.generated.cjs";

export function validateEnvelope(event: unknown): void {
  if (validate(event)) return;
  const failure = describeAjvErrors(validate.errors ?? []);
  throw new MaestroError("invalid_field", `ledger event ${failure.message}`, { field: failure.field });
}
