// The committed default bundle (policies/bundle/maestro.tar.gz) and the check that it matches policies/rego.
// `npm start` loads it without needing opa; in a repo checkout it is refused when the Rego sources moved on.
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { MaestroError } from "../../common/errors.ts";
import { type BuildBundleOptions, type BuildBundleResult, buildBundle, regoSources, type SourcesManifest } from "./bundle-build.ts";
import { bundleDigest, loadBundle } from "./bundle-load.ts";

const repoPath = (path: string): string => fileURLToPath(new URL(`../../${path}`, import.meta.url));

export const DEFAULT_REGO_DIR = repoPath("policies/rego");
export const DEFAULT_BUNDLE_FILE = repoPath("policies/bundle/maestro.tar.gz");
export const DEFAULT_SOURCES_FILE = repoPath("policies/bundle/sources.json");
export const DEFAULT_OPA_PATH = repoPath(".tools/bin/opa");
/** The committed mutation report of policies/rego, whose digest and score `maestro policy build` records in the bundle. */
export const DEFAULT_MUTATION_REPORT = repoPath("policies/mutation-report.json");

export interface BundleLocation {
  regoDir?: string;
  bundleFile?: string;
  sourcesFile?: string;
}

export interface FreshnessReport {
  fresh: boolean;
  /** Human-readable differences (changed/added/removed sources, digest or revision mismatch). */
  problems: string[];
}

function diffSources(recorded: SourcesManifest, current: SourcesManifest): string[] {
  const problems: string[] = [];
  for (const [path, hash] of Object.entries(current.files)) {
    if (!(path in recorded.files)) problems.push(`${path} is not in the bundle`);
    else if (recorded.files[path] !== hash) problems.push(`${path} changed since the bundle was built`);
  }
  for (const path of Object.keys(recorded.files)) {
    if (!(path in current.files)) problems.push(`${path} was removed since the bundle was built`);
  }
  return problems;
}

/** Compares the committed bundle with policies/rego (via sources.json), its digest and its manifest revision. */
export async function checkBundleFresh(location: BundleLocation = {}): Promise<FreshnessReport> {
  const regoDir = location.regoDir ?? DEFAULT_REGO_DIR;
  const bundleFile = location.bundleFile ?? DEFAULT_BUNDLE_FILE;
  const sourcesFile = location.sourcesFile ?? DEFAULT_SOURCES_FILE;
  if (!existsSync(bundleFile) || !existsSync(sourcesFile)) {
    return { fresh: false, problems: [`${existsSync(bundleFile) ? sourcesFile : bundleFile} is missing`] };
  }
  const recorded = JSON.parse(await readFile(sourcesFile, "utf8")) as SourcesManifest;
  const problems = diffSources(recorded, await regoSources(regoDir));
  const bytes = await readFile(bundleFile);
  if (recorded.bundle_digest !== bundleDigest(bytes)) problems.push("the bundle file does not match sources.json");
  else if ((await loadBundle(bytes)).revision !== recorded.revision) problems.push("bundle revision mismatch");
  return { fresh: problems.length === 0, problems };
}

/**
 * Bytes of the default bundle. In a repo checkout (policies/rego present) a stale bundle is refused with
 * MaestroError "stale_bundle"; an installation shipping only the bundle loads it as is.
 */
export async function loadDefaultBundle(location: BundleLocation = {}): Promise<Uint8Array> {
  const regoDir = location.regoDir ?? DEFAULT_REGO_DIR;
  if (existsSync(regoDir)) {
    const report = await checkBundleFresh(location);
    if (!report.fresh) {
      throw new MaestroError("stale_bundle", `policy bundle is stale: run \`maestro policy build\` (${report.problems.join("; ")})`, {
        details: { problems: report.problems },
      });
    }
  }
  return readFile(location.bundleFile ?? DEFAULT_BUNDLE_FILE);
}

/** Rebuilds the committed default bundle and sources.json (what `maestro policy build` runs). */
export function buildDefaultBundle(options: Partial<Omit<BuildBundleOptions, "outFile" | "sourcesFile">> = {}): Promise<BuildBundleResult> {
  return buildBundle({
    regoDir: DEFAULT_REGO_DIR,
    opaPath: DEFAULT_OPA_PATH,
    ...options,
    outFile: DEFAULT_BUNDLE_FILE,
    sourcesFile: DEFAULT_SOURCES_FILE,
  });
}
