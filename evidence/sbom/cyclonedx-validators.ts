// Validators for the official CycloneDX JSON schemas shipped in @cyclonedx/cyclonedx-library/res/schema (a pinned,
// locked dependency), compiled with our ajv at first use (the library's own validator needs ajv-formats-draft2019,
// which we do not ship; this mirrors its set-up). Nothing generated is cached on disk: what validates is compiled in
// this process from the schema files themselves.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import AjvModule, { type ValidateFunction } from "ajv";
import addFormatsModule from "ajv-formats";

// Both packages are CommonJS; their default export arrives wrapped under ESM.
type AjvLike = { compile(schema: object): ValidateFunction; addFormat(name: string, format: boolean): void };
const Ajv = ((AjvModule as unknown as { default?: unknown }).default ?? AjvModule) as new (options: object) => AjvLike;
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (a: unknown) => void;

const require = createRequire(import.meta.url);
const schemaDir = join(dirname(require.resolve("@cyclonedx/cyclonedx-library/package.json")), "res", "schema");

/** Draft-07 schemas $ref these by their cyclonedx.org ids; they are registered up front and nothing loads remotely. */
const REFERENCED = ["spdx.SNAPSHOT.schema.json", "cryptography-defs.SNAPSHOT.schema.json", "jsf-0.82.SNAPSHOT.schema.json"];
const OPTIONS = {
  strict: false,
  useDefaults: false,
  addUsedSchema: false,
  allErrors: false,
  // The 1.7 schema compiles in ~230 ms with ajv's defaults and ~130 ms without inlining $refs or the codegen
  // optimizer, validating just as fast (measured).
  inlineRefs: false,
};
const CUSTOM_FORMATS = ["idn-email", "iri-reference"]; // accepted as-is, as the library's validator does

const schemaText = (file: string): string => readFileSync(join(schemaDir, file), "utf8");
const mainSchema = (version: string) => `bom-${version}.SNAPSHOT.schema.json`;

/** Our ajv for CycloneDX; `code` adds to its code options (the console's build asks for standalone source). */
export function newAjv(code: object = {}): AjvLike {
  const ajv = new Ajv({
    ...OPTIONS,
    code: { optimize: false, ...code },
    loadSchema: (uri: string) => Promise.reject(new Error(`remote schemas are disabled: ${uri}`)),
    schemas: Object.fromEntries(REFERENCED.map((f) => [`http://cyclonedx.org/schema/${f}`, JSON.parse(schemaText(f))])),
  });
  addFormats(ajv);
  for (const format of CUSTOM_FORMATS) ajv.addFormat(format, true);
  return ajv;
}

/** The official JSON schema of one CycloneDX version, as shipped by the library. */
export function cycloneDxSchema(version: string): { $id: string } {
  return JSON.parse(schemaText(mainSchema(version))) as { $id: string };
}

/** Compiles the validator of one CycloneDX version; cyclonedx-schema.ts keeps one per version for the process. */
export function compileValidator(version: string): ValidateFunction {
  return newAjv().compile(cycloneDxSchema(version));
}
