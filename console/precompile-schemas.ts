// Compiles, at build time, every JSON Schema the evidence verifier checks against into ajv's standalone code, so the
// console runs the CLI's very validators under its strict CSP (ajv compiles with new Function, which `script-src
// 'self'` forbids). Same schemas, same ajv, same options (common/ajv.ts, evidence/sbom/cyclonedx-validators.ts).
// Usage: node console/precompile-schemas.ts OUT_DIR (console/build.mjs runs it); writes maestro.cjs and cyclonedx-<v>.cjs.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import standaloneModule from "ajv/dist/standalone/index.js";
import { _ } from "ajv";
import addFormatsModule from "ajv-formats";
import { AJV_OPTIONS } from "../common/ajv.ts";
import { SUPPORTED_SPEC_VERSIONS } from "../evidence/sbom/cyclonedx-schema.ts";
import { cycloneDxSchema, newAjv } from "../evidence/sbom/cyclonedx-validators.ts";

// Both packages are CommonJS; their default export arrives wrapped under ESM.
const standaloneCode = ((standaloneModule as unknown as { default?: unknown }).default ?? standaloneModule) as (
  ajv: unknown,
  refs: unknown,
) => string;
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (a: unknown) => void;

/** Standalone code refers to ajv-formats' own format functions rather than copying them. */
const FORMATS = _`require("ajv-formats/dist/formats").fullFormats`;
const root = new URL("..", import.meta.url).pathname;
/** What the verifier compiles from our schemas (evidence/formats/schemas.ts, ledger/event/envelope-schema.ts). */
const OUR_SCHEMAS = [
  ...readdirSync(join(root, "schemas/gsn"))
    .filter((f) => f.endsWith(".schema.json"))
    .map((f) => `schemas/gsn/${f}`),
  "schemas/release/release.schema.json",
  "schemas/release/release-create.schema.json",
  "schemas/ledger/event.schema.json",
];

function ourSchemas(): Array<{ $id: string }> {
  return OUR_SCHEMAS.map((f) => JSON.parse(readFileSync(join(root, f), "utf8")) as { $id: string });
}

export function precompile(out: string): void {
  mkdirSync(out, { recursive: true });
  const ajv = new Ajv2020({ ...AJV_OPTIONS, code: { source: true, formats: FORMATS } });
  addFormats(ajv);
  const schemas = ourSchemas();
  for (const schema of schemas) ajv.addSchema(schema);
  writeFileSync(join(out, "maestro.cjs"), standaloneCode(ajv, Object.fromEntries(schemas.map((s) => [s.$id, s.$id]))));
  for (const version of SUPPORTED_SPEC_VERSIONS) {
    const cdx = newAjv({ source: true, formats: FORMATS }) as unknown as { compile(s: object): unknown };
    writeFileSync(join(out, `cyclonedx-${version}.cjs`), standaloneCode(cdx, cdx.compile(cycloneDxSchema(version))));
  }
}

if (process.argv[1] === new URL(import.meta.url).pathname) precompile(process.argv[2] ?? join(root, "console/dist/schemas"));
