// The mutation report a bundle records: read for the sources being built, refused when stale or partial, and carried in
// the manifest (the committed bundle records the committed report).
import { createHash } from "node:crypto";
import { cp, mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { buildBundle, regoSources } from "./bundle-build.ts";
import { loadBundle } from "./bundle-load.ts";
import { DEFAULT_BUNDLE_FILE, DEFAULT_MUTATION_REPORT, DEFAULT_REGO_DIR } from "./default-bundle.ts";
import { mutationOf, readMutationEvidence } from "./mutation-evidence.ts";
import { HAVE_OPA, OPA } from "./test-helpers.ts";

const sha256 = (bytes: Uint8Array) => `sha256:${createHash("sha256").update(bytes).digest("hex")}`;

/** A copy of policies/rego and a report for it, as `maestro policy mutate --report` writes one. */
async function checkout(overrides: Record<string, unknown> = {}) {
  const dir = await mkdtemp(join(tmpdir(), "maestro-mutation-"));
  const regoDir = join(dir, "rego");
  await cp(DEFAULT_REGO_DIR, regoDir, { recursive: true });
  const files = Object.keys((await regoSources(regoDir)).files).filter((f) => f.endsWith(".rego"));
  const report = {
    version: 2,
    revision: (await regoSources(regoDir)).revision,
    sources_digest: (await regoSources(regoDir, { withTests: true })).revision,
    files,
    threshold: 0.94,
    score: 0.96,
    ok: true,
    ...overrides,
  };
  const reportFile = join(dir, "mutation-report.json");
  await writeFile(reportFile, `${JSON.stringify(report, null, 2)}\n`);
  return { dir, regoDir, reportFile };
}

describe("mutation evidence of a bundle", () => {
  it("is the report file's SHA-256, score and threshold", async () => {
    const { regoDir, reportFile } = await checkout();
    expect(await readMutationEvidence(reportFile, regoDir)).toEqual({
      digest: sha256(await readFile(reportFile)),
      score: 0.96,
      threshold: 0.94,
    });
  });

  it("refuses a report made for other sources: a policy or a test changed since", async () => {
    for (const file of ["match.rego", "capabilities_test.rego"]) {
      const { regoDir, reportFile } = await checkout();
      await writeFile(join(regoDir, file), `${await readFile(join(regoDir, file), "utf8")}\n# edited\n`);
      await expect(readMutationEvidence(reportFile, regoDir)).rejects.toThrow(/is stale: it was made for other policy sources/);
    }
  });

  it.each([
    ["a partial report (--changed or FILE...)", { files: ["match.rego"] }, /mutated only some policy files \(match\.rego\)/],
    ["a report of the previous format", { version: 1 }, /is not a version 2 mutation report/],
    ["a report without sources_digest", { sources_digest: undefined }, /is not a version 2 mutation report/],
    ["a report with nothing scored", { score: null }, /has no score/],
    ["a score out of range", { score: 1.5 }, /has no score/],
    ["a threshold out of range", { threshold: 94 }, /has no threshold between 0 and 1/],
  ])("refuses %s", async (_, overrides, message) => {
    const { regoDir, reportFile } = await checkout(overrides);
    await expect(readMutationEvidence(reportFile, regoDir)).rejects.toMatchObject({ code: "bad_request", field: "mutation-report" });
    await expect(readMutationEvidence(reportFile, regoDir)).rejects.toThrow(message);
  });

  it("refuses a missing report and one that is not JSON, saying what to run", async () => {
    const { dir, regoDir, reportFile } = await checkout();
    await expect(readMutationEvidence(join(dir, "none.json"), regoDir)).rejects.toThrow(
      /no mutation report at .*none\.json: run `maestro policy mutate --report/,
    );
    await writeFile(reportFile, "score: 0.96\n");
    await expect(readMutationEvidence(reportFile, regoDir)).rejects.toThrow(/is not a JSON mutation report/);
    await writeFile(reportFile, "[0.96]");
    await expect(readMutationEvidence(reportFile, regoDir)).rejects.toThrow(/is not a JSON mutation report/);
  });

  it("is read back from a manifest only when well-formed", () => {
    const digest = `sha256:${"ab".repeat(32)}`;
    expect(mutationOf({ metadata: { mutation: { digest, score: 0.95, threshold: 0.94 } } })).toEqual({
      digest,
      score: 0.95,
      threshold: 0.94,
    });
    expect(mutationOf({})).toBeNull();
    expect(mutationOf({ metadata: { mutation: { digest: "sha256:x", score: 0.95, threshold: 0.94 } } })).toBeNull();
    expect(mutationOf({ metadata: { mutation: { digest, score: "0.95", threshold: 0.94 } } })).toBeNull();
    expect(mutationOf({ metadata: { mutation: { digest, score: 0.95 } } })).toBeNull();
  });

  it("of the committed bundle is the committed report, scoring at or above its threshold", async () => {
    const report = JSON.parse(await readFile(DEFAULT_MUTATION_REPORT, "utf8"));
    const recorded = mutationOf((await loadBundle(await readFile(DEFAULT_BUNDLE_FILE))).manifest);
    expect(recorded).toEqual({ digest: sha256(await readFile(DEFAULT_MUTATION_REPORT)), score: report.score, threshold: report.threshold });
    expect(recorded!.score).toBeGreaterThanOrEqual(recorded!.threshold);
    // Made over every policy file for the sources the bundle was built from (`maestro policy build` refuses otherwise).
    expect(await readMutationEvidence(DEFAULT_MUTATION_REPORT, DEFAULT_REGO_DIR)).toEqual(recorded);
  });

  it.skipIf(!HAVE_OPA)("travels in the manifest of a bundle built with it, beside the revision and entrypoints opa writes", async () => {
    const { dir, regoDir, reportFile } = await checkout();
    const mutation = await readMutationEvidence(reportFile, regoDir);
    const outFile = join(dir, "bundle.tar.gz");
    await buildBundle({ regoDir, outFile, opaPath: OPA, metadata: { mutation } });
    const bundle = await loadBundle(await readFile(outFile));
    expect(mutationOf(bundle.manifest)).toEqual(mutation);
    expect(bundle.revision).toBe((await regoSources(regoDir)).revision);
    expect(bundle.manifest.wasm?.map((w) => w.entrypoint)).toEqual(expect.arrayContaining(["maestro/decision", "maestro/waiver_rules"]));
  });
});
