// Validates CycloneDX JSON (ECMA-424) 1.5–1.7 against the official schemas (cyclonedx-validators.ts compiles them).
import type { ValidateFunction } from "ajv";
import { describeAjvError, type SchemaFailure } from "../../common/ajv.ts";
import { compileValidator } from "./cyclonedx-validators.ts";
import { present } from "../../common/present.ts";

export const SUPPORTED_SPEC_VERSIONS = ["1.5", "1.6", "1.7"] as const;

const cache = new Map<string, ValidateFunction>();

function validatorFor(version: string): ValidateFunction {
  let validate = cache.get(version);
  if (!validate) cache.set(version, (validate = compileValidator(version)));
  return validate;
}

/** First schema failure (JSON pointer + message), or null when the document is valid CycloneDX of a supported version. */
export function cycloneDxProblem(doc: unknown): SchemaFailure | null {
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) return { field: "/", message: "SBOM must be a JSON object" };
  const { bomFormat, specVersion } = doc as { bomFormat?: unknown; specVersion?: unknown };
  if (bomFormat !== "CycloneDX") return { field: "/bomFormat", message: '/bomFormat must be "CycloneDX"' };
  if (!SUPPORTED_SPEC_VERSIONS.includes(specVersion as never)) {
    return { field: "/specVersion", message: `/specVersion must be one of ${SUPPORTED_SPEC_VERSIONS.join(", ")}` };
  }
  const validate = validatorFor(specVersion as string);
  return validate(doc) ? null : describeAjvError(present(validate.errors?.[0], "the SBOM's validation errors"));
}
