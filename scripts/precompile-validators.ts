// Run by `npm install` / `npm ci` (the prepare script): writes the CycloneDX schema validators as ajv standalone code to
// node_modules/.cache/maestro (see evidence/sbom/cyclonedx-validators.ts). Optional by design: if this fails,
// the validators compile at first use, so it warns and exits 0 rather than failing the install.
import { SUPPORTED_SPEC_VERSIONS } from "../evidence/sbom/cyclonedx-schema.ts";
import { writePrecompiledValidators } from "../evidence/sbom/cyclonedx-validators.ts";

try {
  const started = performance.now();
  const files = await writePrecompiledValidators(SUPPORTED_SPEC_VERSIONS);
  console.error(`precompile-validators: ${files.length} CycloneDX validators in ${Math.round(performance.now() - started)} ms`);
} catch (err) {
  console.error(`precompile-validators: skipped (${err instanceof Error ? err.message : String(err)}); schemas will compile at first use`);
}
