// Bundle build, load, freshness of the committed default bundle, and OPA signature verification.
import { generateKeyPairSync } from "node:crypto";
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { buildBundle, regoSources } from "./bundle-build.ts";
import { bundleDigest, loadBundle } from "./bundle-load.ts";
import { opaFileHash } from "./bundle-verify.ts";
import { checkBundleFresh, DEFAULT_BUNDLE_FILE, DEFAULT_REGO_DIR, DEFAULT_SOURCES_FILE, loadDefaultBundle } from "./default-bundle.ts";
import { readTarGz } from "./tar.ts";
import { readVerificationKey } from "./active-policy.ts";
import { HAVE_OPA, OPA, opaBundle, stubPolicy, writeTarGz } from "./test-helpers.ts";

const DENY_ALL = stubPolicy(
  'decision := "deny"\n\nallow := false\n\nreasons := [{"code": "no_grant", "message": "deny all"}]\n\nwaivers := []\n\nobligations := {"secret_fields": []}\n',
);

async function checkoutCopy() {
  const dir = await mkdtemp(join(tmpdir(), "maestro-fresh-"));
  const location = {
    regoDir: join(dir, "rego"),
    bundleFile: join(dir, "maestro.tar.gz"),
    sourcesFile: join(dir, "sources.json"),
  };
  await cp(DEFAULT_REGO_DIR, location.regoDir, { recursive: true });
  await cp(DEFAULT_BUNDLE_FILE, location.bundleFile);
  await cp(DEFAULT_SOURCES_FILE, location.sourcesFile);
  return location;
}

describe("committed default bundle", () => {
  it("is fresh: policies/bundle matches policies/rego (run `maestro policy build` if this fails)", async () => {
    expect(await checkBundleFresh()).toEqual({ fresh: true, problems: [] });
  });

  it("carries the sources revision and both entrypoints", async () => {
    const bundle = await loadBundle(await readFile(DEFAULT_BUNDLE_FILE));
    expect(bundle.revision).toBe((await regoSources(DEFAULT_REGO_DIR)).revision);
    expect(bundle.manifest.wasm?.map((w) => w.entrypoint)).toEqual(expect.arrayContaining(["maestro/decision", "maestro/waiver_rules"]));
    expect(bundle.files.some((f) => f.endsWith("_test.rego"))).toBe(false);
  });
});

describe("stale bundle detection", () => {
  it("counts YAML data files as sources (opa build merges them into /data.json)", async () => {
    const loc = await checkoutCopy();
    await writeFile(join(loc.regoDir, "data.yaml"), "maestro:\n  note: changed\n");
    const report = await checkBundleFresh(loc);
    expect(report).toEqual({ fresh: false, problems: ["data.yaml is not in the bundle"] });
  });

  it("refuses a checkout whose Rego changed, naming the file", async () => {
    const loc = await checkoutCopy();
    const file = join(loc.regoDir, "capabilities.rego");
    await writeFile(file, `${await readFile(file, "utf8")}\n# edited\n`);
    await writeFile(join(loc.regoDir, "extra.rego"), "package maestro.extra\n");
    await rm(join(loc.regoDir, "waiver_rules.rego"));
    const report = await checkBundleFresh(loc);
    expect(report.fresh).toBe(false);
    expect(report.problems).toEqual([
      "capabilities.rego changed since the bundle was built",
      "extra.rego is not in the bundle",
      "waiver_rules.rego was removed since the bundle was built",
    ]);
    await expect(loadDefaultBundle(loc)).rejects.toMatchObject({
      code: "stale_bundle",
      message: expect.stringContaining("policy bundle is stale: run `maestro policy build`"),
    });
  });

  it("ignores test-file edits and notices a swapped bundle file", async () => {
    const loc = await checkoutCopy();
    await writeFile(join(loc.regoDir, "decision_test.rego"), "package maestro.decision_test\n");
    expect((await checkBundleFresh(loc)).fresh).toBe(true);
    await writeFile(loc.bundleFile, writeTarGz([{ name: "/data.json", data: "{}" }]));
    expect((await checkBundleFresh(loc)).problems).toEqual(["the bundle file does not match sources.json"]);
  });

  it("loads the bundle as is outside a checkout (no policies/rego)", async () => {
    const loc = await checkoutCopy();
    await rm(loc.regoDir, { recursive: true });
    expect(bundleDigest(await loadDefaultBundle(loc))).toBe(bundleDigest(await readFile(DEFAULT_BUNDLE_FILE)));
  });
});

describe("loadBundle", () => {
  it("refuses bundles without a manifest, module or entrypoints", async () => {
    await expect(loadBundle(writeTarGz([{ name: "/policy.wasm", data: "x" }]))).rejects.toMatchObject({
      code: "policy_bundle_invalid",
    });
    const manifest = JSON.stringify({ revision: "r", wasm: [{ entrypoint: "other/x", module: "/policy.wasm" }] });
    await expect(loadBundle(writeTarGz([{ name: "/.manifest", data: manifest }]))).rejects.toThrow(/maestro\/decision/);
  });

  it("hashes JSON files in OPA's canonical form (sorted keys, literal numbers, Go escaping)", () => {
    const bytes = new TextEncoder().encode('{ "b": "<&>\u2028", "a": [1.50, true, null] }');
    const expected = opaFileHash("x.bin", new TextEncoder().encode('{"a":[1.50,true,null],"b":"<&>\\u2028"}'), "SHA-256");
    expect(opaFileHash("data.json", bytes, "SHA-256")).toBe(expected);
    expect(() => opaFileHash("data.json", bytes, "MD5")).toThrow(/unsupported hash/);
  });
});

describe.skipIf(!HAVE_OPA)("buildBundle and signatures (opa CLI)", () => {
  const keys = async () => {
    const dir = await mkdtemp(join(tmpdir(), "maestro-keys-"));
    const make = async (name: string) => {
      const { privateKey, publicKey } = generateKeyPairSync("ed25519");
      const file = join(dir, `${name}.pem`);
      await writeFile(file, privateKey.export({ type: "pkcs8", format: "pem" }));
      return { file, publicPem: publicKey.export({ type: "spki", format: "pem" }).toString() };
    };
    return { signer: await make("signer"), other: await make("other") };
  };

  it("builds deterministically with the sources revision", async () => {
    const dir = await mkdtemp(join(tmpdir(), "maestro-build-"));
    const a = await buildBundle({ regoDir: DEFAULT_REGO_DIR, outFile: join(dir, "a.tar.gz"), opaPath: OPA });
    const b = await buildBundle({ regoDir: DEFAULT_REGO_DIR, outFile: join(dir, "b.tar.gz"), opaPath: OPA });
    expect(a.digest).toBe(b.digest);
    expect((await loadBundle(await readFile(a.outFile))).revision).toBe(a.revision);
  });

  it("accepts a bundle signed by the configured key and refuses other keys, algorithms and scopes", async () => {
    const { signer, other } = await keys();
    const signed = await opaBundle(DENY_ALL, { signingKey: signer.file, signingAlg: "EdDSA" });
    const ok = await loadBundle(signed, { verificationKey: { key: signer.publicPem, alg: "EdDSA" } });
    expect(ok).toMatchObject({ verified: true, keyId: "default" });
    await expect(loadBundle(signed, { verificationKey: { key: other.publicPem, alg: "EdDSA" } })).rejects.toMatchObject({
      code: "signature_invalid",
    });
    await expect(loadBundle(signed, { verificationKey: { key: signer.publicPem, alg: "ES256" } })).rejects.toMatchObject({
      code: "signature_invalid",
    });
    await expect(loadBundle(signed, { verificationKey: { key: signer.publicPem, alg: "EdDSA", scope: "prod" } })).rejects.toThrow(
      /scope mismatch/,
    );
    await expect(loadBundle(signed, { verificationKey: { key: signer.publicPem, alg: "EdDSA", keyId: "prod-key" } })).rejects.toThrow(
      /key id/,
    );
  });

  it.each([
    ["ES256", () => generateKeyPairSync("ec", { namedCurve: "P-256" })],
    ["RS256", () => generateKeyPairSync("rsa", { modulusLength: 2048 })],
  ] as const)("verifies %s signatures made by opa", async (alg, make) => {
    const { privateKey, publicKey } = make();
    const dir = await mkdtemp(join(tmpdir(), "maestro-keys-"));
    const file = join(dir, "key.pem");
    await writeFile(file, privateKey.export({ type: "pkcs8", format: "pem" }));
    const signed = await opaBundle(DENY_ALL, { signingKey: file, signingAlg: alg });
    const key = { key: publicKey.export({ type: "spki", format: "pem" }).toString(), alg };
    await expect(loadBundle(signed, { verificationKey: key })).resolves.toMatchObject({ verified: true });
  });

  it("verifies HS256 signatures with the shared secret", async () => {
    const signed = await opaBundle(DENY_ALL, { signingKey: "s3cret-s3cret-s3cret-s3cret-s3cret", signingAlg: "HS256" });
    const ok = { key: "s3cret-s3cret-s3cret-s3cret-s3cret", alg: "HS256" };
    await expect(loadBundle(signed, { verificationKey: ok })).resolves.toMatchObject({ verified: true });
    await expect(loadBundle(signed, { verificationKey: { ...ok, key: "other-secret-other-secret-other" } })).rejects.toMatchObject({
      code: "signature_invalid",
    });
  });

  it("checks the scope claim when the key expects one", async () => {
    const { signer } = await keys();
    const signed = await opaBundle(DENY_ALL, { signingKey: signer.file, signingAlg: "EdDSA", claims: { scope: "prod" } });
    const key = { key: signer.publicPem, alg: "EdDSA", scope: "prod" };
    await expect(loadBundle(signed, { verificationKey: key })).resolves.toMatchObject({ verified: true });
  });

  it.runIf(HAVE_OPA)(
    "takes the verification key, scope and key id from the environment; an HS secret file's newline is not part of it",
    async () => {
      const dir = await mkdtemp(join(tmpdir(), "maestro-vkey-"));
      const secret = "s3cret-s3cret-s3cret-s3cret-s3cret";
      await writeFile(join(dir, "secret"), `${secret}\n`);
      const env = {
        MAESTRO_POLICY_VERIFICATION_ALG: "HS256",
        MAESTRO_POLICY_VERIFICATION_SCOPE: "prod",
        MAESTRO_POLICY_VERIFICATION_KEY_ID: "ci",
      };
      const key = (await readVerificationKey(join(dir, "secret"), env))!;
      expect(key).toMatchObject({ key: secret, alg: "HS256", scope: "prod", keyId: "ci" });
      const signed = await opaBundle(DENY_ALL, { signingKey: secret, signingAlg: "HS256", claims: { scope: "prod", keyid: "ci" } });
      await expect(loadBundle(signed, { verificationKey: key })).resolves.toMatchObject({ verified: true });
      const unscoped = await opaBundle(DENY_ALL, { signingKey: secret, signingAlg: "HS256" });
      await expect(loadBundle(unscoped, { verificationKey: key })).rejects.toThrow(/key id/);
      await expect(loadBundle(unscoped, { verificationKey: { ...key, keyId: undefined } })).rejects.toThrow(/scope mismatch/);
      await rm(dir, { recursive: true, force: true });
    },
  );

  it("refuses unsigned and tampered bundles when a key is configured", async () => {
    const { signer } = await keys();
    const key = { key: signer.publicPem, alg: "EdDSA" };
    await expect(loadBundle(await opaBundle(DENY_ALL), { verificationKey: key })).rejects.toThrow(/unsigned/);
    const files = readTarGz(await opaBundle(DENY_ALL, { signingKey: signer.file, signingAlg: "EdDSA" }));
    const rebuilt = (change: (name: string, data: Uint8Array) => Uint8Array | string | undefined) =>
      writeTarGz(
        [...files].flatMap(([name, data]) => {
          const next = change(name, data);
          return next === undefined ? [] : [{ name: `/${name}`, data: next }];
        }),
      );
    await expect(
      loadBundle(
        rebuilt((n, d) => (n === "data.json" ? '{"extra": true}' : d)),
        { verificationKey: key },
      ),
    ).rejects.toThrow(/digest mismatch for data.json/);
    await expect(
      loadBundle(
        rebuilt((n, d) => (n === "data.json" ? undefined : d)),
        { verificationKey: key },
      ),
    ).rejects.toThrow(/missing from the bundle/);
    const extra = writeTarGz([...[...files].map(([name, data]) => ({ name, data })), { name: "evil.rego", data: "x" }]);
    await expect(loadBundle(extra, { verificationKey: key })).rejects.toThrow(/not covered/);
    // Whitespace-only changes to JSON files keep the canonical hash, exactly as in OPA.
    const pretty = rebuilt((n, d) => (n === ".manifest" ? JSON.stringify(JSON.parse(new TextDecoder().decode(d)), null, 2) : d));
    await expect(loadBundle(pretty, { verificationKey: key })).resolves.toMatchObject({ verified: true });
  });
});
