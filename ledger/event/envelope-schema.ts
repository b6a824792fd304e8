// ajv validation of the event envelope against schemas/ledger/event.schema.json.
import { createRequire } from "node:module";
import { MaestroError } from "../../common/errors.ts";
import { compileSchema } from "../../common/ajv.ts";

const require = createRequire(import.meta.url);
const envelopeSchema = require("../../schemas/ledger/event.schema.json");

const check = compileSchema(envelopeSchema);

export function validateEnvelope(event: unknown): void {
  const failure = check(event);
  if (failure) {
    throw new MaestroError("invalid_field", `ledger event ${failure.message}`, { field: failure.field });
  }
}
