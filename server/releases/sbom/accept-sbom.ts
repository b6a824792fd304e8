// Turns a release request's `sbom` into the stored CycloneDX document: built from a package-lock, or an upload checked against its schema.
import { MaestroError } from "../../../common/errors.ts";
import type { Clock } from "../../../common/clock.ts";
import { cycloneDxProblem, jsonDigest, sbomFromPackageLock, type SbomRef } from "../../../evidence/index.ts";

export interface AcceptedSbom {
  document: Record<string, unknown>;
  ref: SbomRef;
}

export function acceptSbom(input: { packageLock?: unknown; cyclonedx?: unknown } | undefined, clock: Clock): AcceptedSbom | null {
  if (!input) return null;
  let document: Record<string, unknown>;
  let source: SbomRef["source"];
  let prefix: string;
  if (input.packageLock !== undefined) {
    document = sbomFromPackageLock(input.packageLock, clock.now());
    source = "package-lock";
    prefix = "/sbom/packageLock";
  } else {
    document = input.cyclonedx as Record<string, unknown>;
    source = "cyclonedx-upload";
    prefix = "/sbom/cyclonedx";
  }
  const problem = cycloneDxProblem(document);
  if (problem) {
    // The field names the path of the first schema error inside the uploaded document.
    const field = `${prefix}${problem.field === "/" ? "" : problem.field}`;
    throw new MaestroError("invalid_field", `SBOM is not valid CycloneDX: ${problem.message}`, { field });
  }
  return { document, ref: { digest: jsonDigest(document), specVersion: String(document.specVersion), source } };
}
