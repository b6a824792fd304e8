// The mutation score that travels with a bundle: read from the committed report at build time (refused when stale),
// written into the bundle manifest's metadata, and read back from it when the bundle is activated (and ledgered then).
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { MaestroError } from "../../common/errors.ts";
import { regoSources } from "./bundle-build.ts";
import type { BundleManifest } from "./bundle-load.ts";
import { REPORT_VERSION } from "./mutate/mutation-report.ts";

/** What a bundle records of its policies' mutation report (manifest `metadata.mutation`) and activation ledgers. */
export interface MutationEvidence {
  /** "sha256:<hex>" of the report file's bytes, as committed (policies/mutation-report.json). */
  digest: string;
  /** (killed + timed out) / scored mutants, 0..1. */
  score: number;
  /** The threshold the report was made against, 0..1. */
  threshold: number;
}

const isFraction = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v) && v >= 0 && v <= 1;
const DIGEST = /^sha256:[0-9a-f]{64}$/;

function refuse(message: string): MaestroError {
  return new MaestroError("bad_request", message, { field: "mutation-report" });
}

/**
 * Reads a mutation report for the Rego sources in `regoDir` and returns what the bundle records of it. Refuses a
 * report that is not one, that covers only some policy files (--changed, FILE...), or that was made for other sources
 * (policies or their tests changed since): its score would speak for policies other than those being built.
 */
export async function readMutationEvidence(reportFile: string, regoDir: string): Promise<MutationEvidence> {
  const bytes = await readFile(reportFile).catch((cause: NodeJS.ErrnoException) => {
    throw refuse(
      cause.code === "ENOENT"
        ? `no mutation report at ${reportFile}: run \`maestro policy mutate --report ${reportFile}\` first`
        : `cannot read the mutation report ${reportFile}: ${cause.message}`,
    );
  });
  let report: Record<string, unknown>;
  try {
    report = JSON.parse(bytes.toString("utf8")) as Record<string, unknown>;
    if (report === null || typeof report !== "object" || Array.isArray(report)) throw new Error("not an object");
  } catch {
    throw refuse(`${reportFile} is not a JSON mutation report`);
  }
  const regenerate = `run \`maestro policy mutate --report ${reportFile}\` again`;
  if (report.version !== REPORT_VERSION || typeof report.sources_digest !== "string")
    throw refuse(`${reportFile} is not a version ${REPORT_VERSION} mutation report: ${regenerate}`);
  if (!isFraction(report.score)) throw refuse(`${reportFile} has no score (no mutants were scored): ${regenerate}`);
  if (!isFraction(report.threshold)) throw refuse(`${reportFile} has no threshold between 0 and 1: ${regenerate}`);
  const policies = await regoSources(regoDir);
  const all = Object.keys(policies.files).filter((f) => f.endsWith(".rego"));
  const files = Array.isArray(report.files) ? report.files : [];
  if (all.some((f) => !files.includes(f)))
    throw refuse(`${reportFile} mutated only some policy files (${files.join(", ")}): ${regenerate} over all of them`);
  const current = (await regoSources(regoDir, { withTests: true })).revision;
  if (report.sources_digest !== current)
    throw refuse(`${reportFile} is stale: it was made for other policy sources than ${regoDir} holds now; ${regenerate}`);
  return { digest: `sha256:${createHash("sha256").update(bytes).digest("hex")}`, score: report.score, threshold: report.threshold };
}

/** The mutation evidence a bundle's manifest records, or null when it records none (or something malformed). */
export function mutationOf(manifest: BundleManifest): MutationEvidence | null {
  const metadata = manifest.metadata as { mutation?: Partial<MutationEvidence> } | undefined;
  const m = metadata?.mutation;
  if (!m || typeof m.digest !== "string" || !DIGEST.test(m.digest) || !isFraction(m.score) || !isFraction(m.threshold)) return null;
  return { digest: m.digest, score: m.score, threshold: m.threshold };
}
