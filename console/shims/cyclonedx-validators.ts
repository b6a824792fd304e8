// evidence/sbom/cyclonedx-validators.ts for the browser bundle: the official CycloneDX schemas, compiled at build time
// (console/precompile-schemas.ts) by the same ajv set-up, rather than read from node_modules and compiled in the page.
import v15 from "precompiled:cyclonedx-1.5";
import v16 from "precompiled:cyclonedx-1.6";
import v17 from "precompiled:cyclonedx-1.7";

const BY_VERSION: Record<string, unknown> = { "1.5": v15, "1.6": v16, "1.7": v17 };

export function compileValidator(version: string): unknown {
  const validate = BY_VERSION[version];
  if (!validate) throw new Error(`CycloneDX ${version} was not compiled into the console`);
  return validate;
}
