// The scan over the fake-credential corpus: every secret found, no look-alike flagged, and no secret text in the facts.
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { MaestroError } from "../../common/errors.ts";
import { LOOKALIKES, SECRETS } from "../../tests/fixtures/content/secret-corpus.ts";
import {
  checkContentBounds,
  contentInspector,
  holdsSecret,
  ledgeredContent,
  MAX_CONTENT_BYTES,
  MAX_LEDGERED_LICENCES,
  MAX_LISTED_FINDINGS,
  MAX_LISTED_READ_FINDINGS,
} from "./content-facts.ts";
import { addedText } from "./secret-scan.ts";
import { itemAt } from "../../common/present.ts";

const key = randomBytes(32);
const inspector = contentInspector(key);

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return err instanceof MaestroError ? `${err.code} ${err.field}` : String(err);
  }
  return undefined;
}

describe("content facts", () => {
  it.each(SECRETS.map((s) => [s.name, s] as const))("finds the %s and records no part of it", async (_name, item) => {
    const facts = await inspector.inspect(item.path, {}, item.content);
    expect(facts.findings.length).toBeGreaterThan(0);
    for (const finding of facts.findings) {
      expect(finding.path).toBe(item.path);
      expect(finding.fingerprint).toMatch(/^hmac-sha256:[0-9a-f]{64}$/);
      expect(finding.line).toBeGreaterThan(0);
    }
    expect(JSON.stringify(facts)).not.toContain(item.secret!);
  });

  it.each(LOOKALIKES.map((s) => [s.name, s] as const))("lets %s through", async (_name, item) => {
    expect((await inspector.inspect(item.path, {}, item.content)).findings).toEqual([]);
  });

  it("fingerprints equal secrets equally, and differently under another key", async () => {
    const item = SECRETS.find((s) => s.name === "Stripe live secret key")!;
    const a = await inspector.inspect("a.ts", {}, item.content);
    const b = await inspector.inspect("b.ts", {}, `// moved\n${item.content}`);
    const other = await contentInspector(randomBytes(32)).inspect("a.ts", {}, item.content);
    const first = (facts: { findings: Array<{ fingerprint: string; line: number }> }) => itemAt(facts.findings, 0, "findings");
    expect(first(b).fingerprint).toBe(first(a).fingerprint);
    expect(first(b).line).toBe(2);
    expect(first(other).fingerprint).not.toBe(first(a).fingerprint);
  });

  it("checks the digest the tool reports against the content", async () => {
    const item = itemAt(SECRETS, 0, "SECRETS");
    const facts = await inspector.inspect(item.path, {}, item.content);
    expect(facts.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect((await inspector.inspect(item.path, { contentDigest: facts.digest }, item.content)).digest).toBe(facts.digest);
    await expect(inspector.inspect(item.path, { contentDigest: `sha256:${"0".repeat(64)}` }, item.content)).rejects.toMatchObject({
      code: "invalid_field",
      field: "/args/contentDigest",
    });
    await expect(inspector.inspect(item.path, { patchDigest: "sha256:abc" }, item.content)).rejects.toMatchObject({
      field: "/args/patchDigest",
    });
  });

  it("scans only what a patch adds: removing a secret is not a finding", async () => {
    const secret = SECRETS.find((s) => s.name === "GitHub classic token")!.secret!;
    const removing = `--- a/run.sh\n+++ b/run.sh\n@@ -1,2 +1,2 @@\n-export GH_TOKEN=${secret}\n+export GH_TOKEN="$(cat /run/secrets/gh)"\n`;
    const adding = removing.replace("-export", " export").replace("+export", "-export").replace(" export", "+export");
    const digest = async (t: string) => (await inspector.inspect("x", {}, t)).digest;
    expect((await inspector.inspect("run.sh", { patchDigest: await digest(removing) }, removing)).findings).toEqual([]);
    const added = await inspector.inspect("run.sh", { patchDigest: await digest(adding) }, adding);
    expect(added.findings.map((f) => f.line)).toEqual([4]);
    expect(addedText("-a\n---b\n+c")).toBe("\n---b\n+c");
  });

  it("lists at most MAX_LISTED_FINDINGS findings and counts the rest", async () => {
    const item = SECRETS.find((s) => s.name === "Stripe live secret key")!;
    const facts = await inspector.inspect(item.path, {}, item.content.repeat(MAX_LISTED_FINDINGS + 3));
    expect(facts.findings).toHaveLength(MAX_LISTED_FINDINGS);
    expect(facts.unlisted).toBe(3);
  });

  it("scans a read like a write, lists at most MAX_LISTED_READ_FINDINGS, and says when it holds a secret", async () => {
    const item = SECRETS.find((s) => s.name === "Stripe live secret key")!;
    const once = await inspector.inspectRead("logs/ci.log", item.content);
    expect(once).toEqual({
      bytes: Buffer.byteLength(item.content),
      digest: (await inspector.inspect("x", {}, item.content)).digest,
      findings: (await inspector.inspect("logs/ci.log", {}, item.content)).findings,
      unlisted: 0,
    });
    expect(holdsSecret(once)).toBe(true);
    const many = await inspector.inspectRead("logs/ci.log", item.content.repeat(MAX_LISTED_READ_FINDINGS + 2));
    expect([many.findings.length, many.unlisted]).toEqual([MAX_LISTED_READ_FINDINGS, 2]);
    expect(holdsSecret({ findings: [], unlisted: 1 })).toBe(true);
    expect(holdsSecret(await inspector.inspectRead("README.md", "nothing to see\n"))).toBe(false);
    expect(holdsSecret(undefined)).toBe(false);
  });

  it("reads an install's content as the lock file it writes, and finds the installed package at its top", async () => {
    const lock = JSON.stringify({
      lockfileVersion: 3,
      packages: {
        "node_modules/left-pad": { version: "1.3.0", license: "WTFPL" },
        "node_modules/a/node_modules/deep": { version: "2.0.0", license: "MIT" },
      },
    });
    const pad = { name: "left-pad", version: "1.3.0", licence: "WTFPL", alternatives: [["WTFPL"]] };
    expect((await inspector.inspect("package-lock.json", {}, lock, "left-pad")).lockfile).toMatchObject({ installs: pad });
    expect((await inspector.inspect("package-lock.json", {}, lock, "deep")).lockfile?.installs).toBeNull();
    expect((await inspector.inspect("package-lock.json", {}, lock, "")).lockfile?.installs).toBeNull();
    expect((await inspector.inspect("package-lock.json", {}, "not json", "left-pad")).lockfile).toEqual({ packages: null });
    // A write of the lock file has no installed package.
    expect((await inspector.inspect("package-lock.json", {}, lock)).lockfile).not.toHaveProperty("installs");
  });

  it("ledgers a lock file's distinct licences and the run-set licence it was judged against, never the package list", async () => {
    const lock = (licences: Array<string | undefined>) =>
      JSON.stringify({
        lockfileVersion: 3,
        packages: Object.fromEntries(licences.map((license, i) => [`node_modules/p${i}`, { version: "1.0.0", license }])),
      });
    const facts = await inspector.inspect("package-lock.json", {}, lock(["MIT", "GPL-3.0-only", "MIT", undefined]));
    const { bytes, digest } = facts;
    expect(ledgeredContent(facts, "Apache-2.0")).toEqual({
      bytes,
      digest,
      findings: [],
      licences: ["GPL-3.0-only", "MIT", "NOASSERTION"],
      packages: 4,
      projectLicence: "Apache-2.0",
      unlisted: 0,
    });
    // Past what one entry lists, or an unreadable lock file: null, and the claim licences-compatible then needs a waiver.
    const many = Array.from({ length: MAX_LEDGERED_LICENCES + 1 }, (_, i) => `LicenseRef-${i}`);
    expect(ledgeredContent(await inspector.inspect("package-lock.json", {}, lock(many)), null)).toMatchObject({
      licences: null,
      projectLicence: null,
    });
    expect(ledgeredContent(await inspector.inspect("package-lock.json", {}, lock(["x".repeat(201)])), "MIT").licences).toBeNull();
    expect(ledgeredContent(await inspector.inspect("package-lock.json", {}, "not json"), "MIT")).toMatchObject({
      licences: null,
      packages: null,
    });
    // Content that is not a lock file carries no licence facts.
    expect(ledgeredContent(await inspector.inspect("src/a.ts", {}, "const a = 1;\n"), "MIT")).not.toHaveProperty("licences");
  });

  it("refuses content past its bound (413) and on capabilities that take none (400)", () => {
    expect(codeOf(() => checkContentBounds("repo.write", "x".repeat(MAX_CONTENT_BYTES)))).toBeUndefined();
    expect(codeOf(() => checkContentBounds("repo.write", "é".repeat(MAX_CONTENT_BYTES / 2 + 1)))).toBe("payload_too_large /content");
    expect(codeOf(() => checkContentBounds("network.egress", "x"))).toBe("invalid_field /content");
    expect(codeOf(() => checkContentBounds("package.install", "{}"))).toBeUndefined();
  });
});
