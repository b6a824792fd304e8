// Validators for the official CycloneDX JSON schemas shipped in @cyclonedx/cyclonedx-library/res/schema, compiled with
// our ajv (the library's own validator needs ajv-formats-draft2019, which we do not ship; this mirrors its set-up).
//
// Compiling the 1.7 schema takes ~100 ms, a tenth of a fresh `maestro evidence verify`. So `npm install` (the prepare
// script, scripts/precompile-validators.ts) writes each version's validator as ajv standalone code to
// node_modules/.cache/maestro, named by a digest of everything that shapes it (ajv and ajv-formats versions, options,
// schema files). A file whose name does not match today's digest is never loaded; without a file, the schema compiles
// at first use as before. The files sit among the installed packages and are trusted as they are.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
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
const nodeModules = dirname(dirname(require.resolve("ajv/package.json")));
export const PRECOMPILED_DIR = join(nodeModules, ".cache", "maestro");

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

function newAjv(standalone: boolean): AjvLike {
  const ajv = new Ajv({
    ...OPTIONS,
    code: { optimize: false, source: standalone },
    loadSchema: (uri: string) => Promise.reject(new Error(`remote schemas are disabled: ${uri}`)),
    schemas: Object.fromEntries(REFERENCED.map((f) => [`http://cyclonedx.org/schema/${f}`, JSON.parse(schemaText(f))])),
  });
  addFormats(ajv);
  for (const format of CUSTOM_FORMATS) ajv.addFormat(format, true);
  return ajv;
}

/** Digest of everything that shapes a version's validator: a precompiled file is used only under today's digest. */
function precompiledFile(version: string): string {
  const h = createHash("sha256");
  for (const pkg of ["ajv", "ajv-formats"]) h.update(`${pkg}@${(require(`${pkg}/package.json`) as { version: string }).version}\n`);
  h.update(JSON.stringify({ OPTIONS, CUSTOM_FORMATS, REFERENCED }));
  for (const file of [...REFERENCED, mainSchema(version)]) h.update(schemaText(file));
  return `cyclonedx-${version}-${h.digest("hex").slice(0, 32)}.cjs`;
}

export function compileValidator(version: string, dir = PRECOMPILED_DIR): ValidateFunction {
  const file = join(dir, precompiledFile(version));
  if (existsSync(file)) {
    try {
      return require(file) as ValidateFunction;
    } catch {
      // Unloadable (e.g. the ajv it requires moved): compile instead, as without the file.
    }
  }
  return newAjv(false).compile(JSON.parse(schemaText(mainSchema(version))));
}

/**
 * Writes each version's standalone validator to `dir`, replacing what was there; returns the files written. The code
 * requires ajv's runtime by package name, so `dir` must sit inside node_modules (or below a folder that has it).
 */
export async function writePrecompiledValidators(versions: readonly string[], dir = PRECOMPILED_DIR): Promise<string[]> {
  const { default: standaloneCode } = (await import("ajv/dist/standalone/index.js")) as unknown as {
    default: { default?: (ajv: AjvLike, v: ValidateFunction) => string } & ((ajv: AjvLike, v: ValidateFunction) => string);
  };
  const toCode = standaloneCode.default ?? standaloneCode;
  mkdirSync(dir, { recursive: true });
  for (const old of readdirSync(dir)) if (old.startsWith("cyclonedx-")) rmSync(join(dir, old));
  const written: string[] = [];
  for (const version of versions) {
    const ajv = newAjv(true);
    const file = join(dir, precompiledFile(version));
    // Written whole under a temporary name, then renamed: a reader never sees half a file.
    writeFileSync(`${file}.tmp`, toCode(ajv, ajv.compile(JSON.parse(schemaText(mainSchema(version))))));
    renameSync(`${file}.tmp`, file);
    written.push(file);
  }
  return written;
}
