// PolicyHolder activation: a new bundle is loaded, verified and smoke-tested before it replaces the old one.
import { generateKeyPairSync } from "node:crypto";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { PolicyHolder } from "./active-policy.ts";
import { DEFAULT_BUNDLE_FILE, loadDefaultBundle } from "./default-bundle.ts";
import { baseInput, HAVE_OPA, opaBundle, stubPolicy, writeTarGz } from "./test-helpers.ts";

const DENY_ALL = stubPolicy(
  'decision := "deny"\n\nallow := false\n\nreasons := [{"code": "no_grant", "message": "deny all"}]\n\nwaivers := []\n\nobligations := {"secret_fields": []}\n',
);
const ALLOW_ALL = stubPolicy(
  'decision := "allow"\n\nallow := true\n\nreasons := [{"code": "granted", "message": "yes"}]\n\nwaivers := []\n\nobligations := {"secret_fields": []}\n',
);

let defaultBytes: Uint8Array;
beforeAll(async () => {
  defaultBytes = await readFile(DEFAULT_BUNDLE_FILE);
});

describe("PolicyHolder", () => {
  it("keeps the old bundle when the new one is not a bundle", async () => {
    const holder = await PolicyHolder.create(defaultBytes);
    const before = holder.digest;
    await expect(holder.activate(new TextEncoder().encode("garbage"))).rejects.toMatchObject({
      code: "policy_bundle_invalid",
    });
    await expect(holder.activate(writeTarGz([{ name: "/.manifest", data: "{}" }]))).rejects.toMatchObject({
      code: "policy_bundle_invalid",
    });
    expect(holder.digest).toBe(before);
    expect(holder.evaluateDecision(baseInput()).decision).toBe("allow");
  });
});

describe.skipIf(!HAVE_OPA)("PolicyHolder activation (bundles built with opa)", () => {
  it("swaps atomically and reports the previous digest", async () => {
    const holder = await PolicyHolder.create(defaultBytes);
    const before = { digest: holder.digest, revision: holder.revision };
    const seen: unknown[] = [];
    const info = await holder.activate(await opaBundle(DENY_ALL), { beforeSwap: (i) => void seen.push(i) });
    expect(info).toMatchObject({ previousDigest: before.digest, previousRevision: before.revision });
    expect(info.digest).not.toBe(before.digest);
    expect(seen).toEqual([info]);
    expect(holder.digest).toBe(info.digest);
    expect(holder.evaluateDecision(baseInput()).decision).toBe("deny");
  });

  it("refuses a bundle that allows an ungranted call (smoke test) and keeps the old one", async () => {
    const holder = await PolicyHolder.create(defaultBytes);
    const before = holder.digest;
    await expect(holder.activate(await opaBundle(ALLOW_ALL))).rejects.toMatchObject({
      code: "policy_bundle_invalid",
      message: expect.stringMatching(/smoke/),
    });
    expect(holder.digest).toBe(before);
  });

  it("keeps the old bundle when beforeSwap (the ledger append) fails", async () => {
    const holder = await PolicyHolder.create(defaultBytes);
    const before = holder.digest;
    const failing = () => {
      throw new Error("ledger down");
    };
    await expect(holder.activate(await opaBundle(DENY_ALL), { beforeSwap: failing })).rejects.toThrow("ledger down");
    expect(holder.digest).toBe(before);
  });

  it("with a verification key, refuses unsigned bundles and activates signed ones", async () => {
    const { privateKey, publicKey } = generateKeyPairSync("ed25519");
    const dir = await mkdtemp(join(tmpdir(), "maestro-holder-"));
    const keyFile = join(dir, "key.pem");
    await writeFile(keyFile, privateKey.export({ type: "pkcs8", format: "pem" }));
    const verificationKey = { key: publicKey.export({ type: "spki", format: "pem" }).toString(), alg: "EdDSA" };
    const signed = await opaBundle(DENY_ALL, { signingKey: keyFile, signingAlg: "EdDSA" });
    const holder = await PolicyHolder.create(signed, { verificationKey });
    expect(holder.current.verified).toBe(true);
    await expect(holder.activate(defaultBytes)).rejects.toMatchObject({
      code: "policy_bundle_invalid",
      message: expect.stringMatching(/unsigned/),
    });
    expect(holder.digest).not.toBe(undefined);
  });

  it("serialises concurrent activations", async () => {
    const holder = await PolicyHolder.create(defaultBytes);
    const first = holder.activate(await opaBundle(DENY_ALL));
    const second = holder.activate(defaultBytes);
    const [a, b] = await Promise.all([first, second]);
    expect(b.previousDigest).toBe(a.digest);
    expect(holder.digest).toBe(b.digest);
  });
});

describe("the committed bundle", () => {
  it("loads (checked fresh against policies/rego) and allows a granted call", async () => {
    const holder = await PolicyHolder.create(await loadDefaultBundle());
    expect(holder.evaluateDecision(baseInput()).decision).toBe("allow");
    expect(holder.digest).toMatch(/^sha256:/);
  });
});
