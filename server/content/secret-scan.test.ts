// The scan's own edges: offsets over the text as sent (a BOM included), the gcp rule on JSON, and no server file read.
import { createHmac, randomBytes } from "node:crypto";
import fs, { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { syncBuiltinESMExports } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { lintSource } from "@secretlint/core";
import { creator as recommended } from "@secretlint/secretlint-rule-preset-recommend";
import { afterEach, describe, expect, it, vi } from "vitest";
import { SECRETS } from "../../tests/fixtures/content/secret-corpus.ts";
import { contentInspector } from "./content-facts.ts";
import { scanExt, scanSecrets } from "./secret-scan.ts";

const key = randomBytes(32);
const inspector = contentInspector(key);
const hmac = (text: string) => `hmac-sha256:${createHmac("sha256", key).update(text).digest("hex")}`;
const corpus = (name: string) => SECRETS.find((s) => s.name === name)!;
const BOM = "\uFEFF";

describe("secret scan", () => {
  it("gives offsets into the text as sent when it starts with a BOM, so the fingerprint is the secret's", async () => {
    const item = corpus("Stripe live secret key");
    const [plain] = await scanSecrets(item.path, item.content);
    const [withBom] = await scanSecrets(item.path, `${BOM}${item.content}`);
    expect(item.content.slice(plain!.start, plain!.end)).toBe(item.secret);
    expect(`${BOM}${item.content}`.slice(withBom!.start, withBom!.end)).toBe(item.secret);
    expect(withBom!.line).toBe(1);
    const facts = await inspector.inspect(item.path, {}, `${BOM}${item.content}`);
    expect(facts.findings.map((f) => f.fingerprint)).toEqual([hmac(item.secret!)]);
    // A BOM later in the text is text like any other: secretlint keeps it, and the offsets count it.
    const later = `// a\n${BOM}${item.content}`;
    const [inside] = await scanSecrets(item.path, later);
    expect(later.slice(inside!.start, inside!.end)).toBe(item.secret);
  });

  it("runs the gcp rule on a .json service-account key, as its own finding beside the PEM's", async () => {
    const item = corpus("service-account JSON");
    const rules = (await scanSecrets(item.path, item.content)).map((m) => m.rule);
    expect(rules).toContain("gcp/PrivateKeyJSON");
    expect(rules.some((r) => r.startsWith("privatekey/"))).toBe(true);
    expect((await scanSecrets("deploy/SERVICE-ACCOUNT.JSON", item.content)).map((m) => m.rule)).toContain("gcp/PrivateKeyJSON");
    // The same text under another name is not a key file: the PEM inside is still found by the privatekey rule.
    const asText = (await scanSecrets("deploy/service-account.txt", item.content)).map((m) => m.rule);
    expect(asText.some((r) => r.startsWith("privatekey/"))).toBe(true);
    expect(asText).not.toContain("gcp/PrivateKeyJSON");
    expect([scanExt("a/b.json"), scanExt("a/b.JSON"), scanExt("a/b.p12"), scanExt("a/b.pfx"), scanExt("a/json"), scanExt("")]).toEqual([
      ".json",
      ".json",
      "",
      "",
      "",
      "",
    ]);
  });

  it("leaves nothing behind in the process's performance timeline, however many scans run", async () => {
    // secretlint's profiler, on by default, marks each scan and rule in the global timeline and never clears them: a
    // leak that grew the old space, and the collector's pauses with it, scan after scan.
    const item = corpus("Stripe live secret key");
    expect((await scanSecrets(item.path, item.content)).length).toBe(1);
    const before = performance.getEntries().length;
    for (let i = 0; i < 20; i++) await scanSecrets(`src/f${i}.ts`, item.content);
    expect(performance.getEntries().length).toBe(before);
  });

  describe("never reads a file of the server's", () => {
    const dir = mkdtempSync(join(tmpdir(), "maestro-scan-"));
    const p12 = join(dir, "server-key.p12");
    writeFileSync(p12, randomBytes(256));
    afterEach(() => {
      vi.restoreAllMocks();
      syncBuiltinESMExports();
    });
    // The gcp rule imports node:fs when it runs: spying on the module object, synced to its ESM namespace, sees it.
    const spyOnReads = () => {
      const reads = vi.spyOn(fs, "readFileSync");
      const opens = vi.spyOn(fs, "openSync");
      syncBuiltinESMExports();
      return () => [...reads.mock.calls, ...opens.mock.calls].map((call) => String(call[0]));
    };

    it("is a real hazard: secretlint's gcp rule reads the scanned path from disk for a .p12", async () => {
      const gcp = recommended.rules.find((rule) => rule.meta.id === "@secretlint/secretlint-rule-gcp")!;
      const readPaths = spyOnReads();
      await lintSource({
        source: { filePath: p12, content: "", contentType: "text", ext: ".p12" },
        options: { config: { rules: [{ id: gcp.meta.id, rule: gcp }] } },
      });
      expect(readPaths()).toContain(p12);
    });

    it("whatever path or extension the agent sends", async () => {
      const readPaths = spyOnReads();
      const relative = join("..", "..", "..", "..", "..", "..", "..", "..", p12);
      for (const path of [p12, relative, `${p12}.json`, join(dir, "key.pfx"), join(dir, "key.P12"), "key.p12", dir]) {
        for (const text of [
          "",
          "binary\u0000data",
          corpus("service-account JSON").content,
          `${BOM}${corpus("PEM RSA private key").content}`,
        ]) {
          await scanSecrets(path, text);
          await inspector.inspect(path, {}, text);
          await inspector.inspectRead(path, text);
        }
      }
      expect(readPaths()).toEqual([]);
      rmSync(dir, { recursive: true, force: true });
    });
  });
});
