// Builds the OPA Wasm bundle from policies/rego with the opa CLI, optionally signed, and records its sources.
// `opa build -b -t wasm` (https://www.openpolicyagent.org/docs/cli#opa-build); signing needs bundle mode (-b) and
// follows https://www.openpolicyagent.org/docs/management-bundles#signing. Output is deterministic (fixed
// mtimes), so the same sources and flags give the same digest.
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve, sep } from "node:path";
import { promisify } from "node:util";
import { MaestroError } from "../../common/errors.ts";
import { bundleDigest, DECISION_ENTRYPOINT, WAIVER_RULES_ENTRYPOINT } from "./bundle-load.ts";

const run = promisify(execFile);

/** Test files never enter the bundle, so they do not count as sources either. */
export const TEST_FILE_GLOB = "*_test.rego";

export interface SourcesManifest {
  /** The bundle revision: "rego-sha256:<hex>" over the sorted (sha256, path) list of sources. */
  revision: string;
  /** Digest of the bundle built from these sources (absent until built). */
  bundle_digest?: string;
  /** sha256 hex of each source, keyed by path relative to the Rego directory (POSIX separators). */
  files: Record<string, string>;
}

export interface BuildBundleOptions {
  regoDir: string;
  outFile: string;
  opaPath: string;
  /** PEM private key file (or, for HS*, the HMAC secret itself): builds a signed bundle. */
  signingKey?: string;
  /** JWS algorithm for signing; opa's default is RS256 (EdDSA, ES256, PS256, HS256 ... also work). */
  signingAlg?: string;
  /** JSON file of extra JWT claims (e.g. {"scope": "prod"}), passed as --claims-file. */
  claimsFile?: string;
  /** Where to write the SourcesManifest (e.g. policies/bundle/sources.json). */
  sourcesFile?: string;
  /** The manifest's `metadata` (e.g. {mutation: {digest, score, threshold}}, server/policy/mutation-evidence.ts). */
  metadata?: Record<string, unknown>;
}

export interface BuildBundleResult {
  outFile: string;
  revision: string;
  digest: string;
  sources: SourcesManifest;
}

/** What `opa build -b` puts in a bundle: policies and data files (JSON or YAML), tests excluded (unless asked for). */
function isSource(name: string, withTests = false): boolean {
  return (name.endsWith(".rego") && (withTests || !name.endsWith("_test.rego"))) || ["data.json", "data.yaml", "data.yml"].includes(name);
}

const sha256 = (bytes: Uint8Array | string): string => createHash("sha256").update(bytes).digest("hex");

/**
 * Hashes every policy source under regoDir; the revision is a digest of the sorted list. `withTests` counts the
 * `_test.rego` files too: what a mutation score depends on (server/policy/mutation-evidence.ts).
 */
export async function regoSources(regoDir: string, { withTests = false } = {}): Promise<SourcesManifest> {
  const entries = await readdir(regoDir, { recursive: true, withFileTypes: true });
  const paths = entries
    .filter((e) => e.isFile() && isSource(e.name, withTests))
    .map((e) => relative(regoDir, join(e.parentPath, e.name)).split(sep).join("/"))
    .sort();
  const files: Record<string, string> = {};
  for (const path of paths) files[path] = sha256(await readFile(join(regoDir, path)));
  const listing = paths.map((p) => `${files[p]}  ${p}\n`).join("");
  return { revision: `rego-sha256:${sha256(listing)}`, files };
}

export async function buildBundle(options: BuildBundleOptions): Promise<BuildBundleResult> {
  const regoDir = resolve(options.regoDir);
  const outFile = resolve(options.outFile);
  const sources = await regoSources(regoDir);
  if (Object.keys(sources.files).length === 0) {
    throw new MaestroError("bad_request", `no Rego sources found in ${regoDir}`, { field: "regoDir" });
  }
  // Run inside a copy of the sources on "." so member paths do not depend on where the checkout lives, and so the
  // .manifest carrying the metadata (opa build -b takes the directory's own) never lands in policies/rego.
  const stage = await mkdtemp(join(tmpdir(), "maestro-bundle-"));
  try {
    for (const path of Object.keys(sources.files)) {
      await mkdir(dirname(join(stage, path)), { recursive: true });
      await cp(join(regoDir, path), join(stage, path));
    }
    if (options.metadata)
      await writeFile(join(stage, ".manifest"), JSON.stringify({ revision: sources.revision, metadata: options.metadata }));
    await runOpaBuild(options, sources.revision, outFile, stage);
  } finally {
    await rm(stage, { recursive: true, force: true });
  }
  const digest = bundleDigest(await readFile(outFile));
  const manifest: SourcesManifest = { revision: sources.revision, bundle_digest: digest, files: sources.files };
  if (options.sourcesFile) await writeFile(options.sourcesFile, `${JSON.stringify(manifest, null, 2)}\n`);
  return { outFile, revision: sources.revision, digest, sources: manifest };
}

async function runOpaBuild(options: BuildBundleOptions, revision: string, outFile: string, cwd: string): Promise<void> {
  const args = ["build", "-b", "-t", "wasm", "-e", DECISION_ENTRYPOINT, "-e", WAIVER_RULES_ENTRYPOINT];
  args.push("--ignore", TEST_FILE_GLOB, "-r", revision, "-o", outFile);
  if (options.signingKey) {
    const alg = options.signingAlg ?? "RS256";
    // opa takes the HMAC secret itself (HS*) but a PEM file path for asymmetric algorithms.
    const key = alg.startsWith("HS") ? options.signingKey : resolve(options.signingKey);
    args.push("--signing-key", key, "--signing-alg", alg);
    if (options.claimsFile) args.push("--claims-file", resolve(options.claimsFile));
  }
  args.push(".");
  try {
    await run(options.opaPath, args, { cwd });
  } catch (cause) {
    const stderr = (cause as { stderr?: string }).stderr?.trim();
    throw new MaestroError("bad_request", `opa build failed: ${stderr || (cause as Error).message}`, { cause });
  }
}
