// ajv validation of the event envelope against schemas/ledger/event.schema.json.
import { MaestroError } from "../../common/errors.ts";
import { compileSchema } from "../../common/ajv.ts";
import envelopeSchema from "../../schemas/ledger/event.schema.json" with { type: "json" };

const check = compileSchema(envelopeSchema);

export function validateEnvelope(event: unknown): void {
  const failure = check(event);
  if (failure) {
    throw new MaestroError("invalid_field", `ledger event ${failure.message}`, { field: failure.field });
  }
}
