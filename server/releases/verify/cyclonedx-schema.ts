// Validates CycloneDX JSON (ECMA-424) 1.5–1.7 against the official schemas shipped in @cyclonedx/cyclonedx-library/res/schema.
// The library's own validator needs ajv-formats-draft2019, which we do not ship; this mirrors its set-up with our ajv.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import AjvModule, { type ValidateFunction } from "ajv";
import addFormatsModule from "ajv-formats";
import { describeAjvError, type SchemaFailure } from "../../../common/ajv.ts";

// Both packages are CommonJS; their default export arrives wrapped under ESM.
type AjvLike = { compile(schema: object): ValidateFunction; addFormat(name: string, format: boolean): void };
const Ajv = ((AjvModule as unknown as { default?: unknown }).default ?? AjvModule) as new (options: object) => AjvLike;
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (a: unknown) => void;

export const SUPPORTED_SPEC_VERSIONS = ["1.5", "1.6", "1.7"] as const;

const schemaDir = join(dirname(createRequire(import.meta.url).resolve("@cyclonedx/cyclonedx-library/package.json")), "res", "schema");
const read = (file: string): object => JSON.parse(readFileSync(join(schemaDir, file), "utf8"));
const cache = new Map<string, ValidateFunction>();

function validatorFor(version: string): ValidateFunction {
  let validate = cache.get(version);
  if (validate) return validate;
  // Draft-07 schemas with $refs to the SPDX, JSF and crypto-defs schemas by their cyclonedx.org ids; no remote loading.
  const ajv = new Ajv({
    strict: false,
    useDefaults: false,
    addUsedSchema: false,
    allErrors: false,
    // The 1.7 schema compiles in ~230 ms with ajv's defaults and ~130 ms without inlining $refs or the codegen
    // optimizer, validating just as fast (measured): a cold `maestro evidence verify` pays this once.
    inlineRefs: false,
    code: { optimize: false },
    loadSchema: (uri: string) => Promise.reject(new Error(`remote schemas are disabled: ${uri}`)),
    schemas: {
      "http://cyclonedx.org/schema/spdx.SNAPSHOT.schema.json": read("spdx.SNAPSHOT.schema.json"),
      "http://cyclonedx.org/schema/cryptography-defs.SNAPSHOT.schema.json": read("cryptography-defs.SNAPSHOT.schema.json"),
      "http://cyclonedx.org/schema/jsf-0.82.SNAPSHOT.schema.json": read("jsf-0.82.SNAPSHOT.schema.json"),
    },
  });
  addFormats(ajv);
  ajv.addFormat("idn-email", true);
  ajv.addFormat("iri-reference", true);
  validate = ajv.compile(read(`bom-${version}.SNAPSHOT.schema.json`));
  cache.set(version, validate);
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
  return validate(doc) ? null : describeAjvError(validate.errors![0]);
}
