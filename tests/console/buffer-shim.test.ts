// The verifier bundle's node:buffer (console/shims/node-buffer.ts) in a real Chromium, against Node's own Buffer: its
// native base64 and ASCII paths give Node's bytes and text for well-formed input and junk alike, and the same as the
// package's codecs gave before (the same shim loaded again with the native methods taken away).
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { build } from "esbuild";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { haveBrowser, launchChromium } from "./support.ts";

const SHIMS = join(import.meta.dirname, "..", "..", "console", "shims");

/** The shim as the worker bundle has it, exposing its Buffer as globalThis[name]. */
async function shimScript(name: string): Promise<string> {
  const out = await build({
    stdin: {
      contents: `import { Buffer } from "./node-buffer.ts"; globalThis[${JSON.stringify(name)}] = Buffer;`,
      resolveDir: SHIMS,
      loader: "ts",
    },
    bundle: true,
    write: false,
    format: "iife",
    platform: "browser",
    logLevel: "silent",
  });
  return out.outputFiles[0]!.text;
}

const B64_INPUTS = [
  "",
  "QQ==",
  "QQ",
  "QUI=",
  "QUJD",
  "QR==", // stray bits in the last character
  "Q",
  "QQ=",
  "QQ==QQ==",
  " QU JD\n",
  "QUJD!",
  "-_8",
  "+/8=",
  "+/8",
  "-_+/",
  "aGVsbG8gd29ybGQ=",
  randomBytes(48).toString("base64"),
  randomBytes(47).toString("base64url"),
];
const TEXT_INPUTS = ["", "header.payload", "é", "naïve ≤ 3 s", "😀", "\uD800", "a\u0000b"];

interface Case {
  how: "from" | "toString";
  encoding: string;
  value: string;
  start?: number;
  end?: number;
}

const cases: Case[] = [
  ...B64_INPUTS.flatMap((value) => (["base64", "base64url"] as const).map((encoding) => ({ how: "from" as const, encoding, value }))),
  ...TEXT_INPUTS.flatMap((value) => ["latin1", "ascii", "binary", "utf8"].map((encoding) => ({ how: "from" as const, encoding, value }))),
  ...[0, 1, 2, 3, 31, 32, 33, 1000].flatMap((n) => {
    const value = randomBytes(n).toString("hex");
    return ["base64", "base64url"].flatMap((encoding) => [
      { how: "toString" as const, encoding, value },
      { how: "toString" as const, encoding, value, start: 1, end: Math.max(1, n - 1) },
    ]);
  }),
];

/** Node's answer: decoded bytes as hex, or the encoded text. */
function nodeAnswer(c: Case): string {
  if (c.how === "from") return Buffer.from(c.value, c.encoding as BufferEncoding).toString("hex");
  return Buffer.from(c.value, "hex").toString(c.encoding as BufferEncoding, c.start, c.end);
}

describe.skipIf(!haveBrowser)("the console's Buffer shim in Chromium", () => {
  let browser: Browser;
  let page: Page;
  const answers = (name: string) =>
    page.evaluate(
      ({ name, cases }) => {
        type ShimBuffer = {
          from(value: string, encoding: string): { toString(encoding?: string, start?: number, end?: number): string };
        };
        const B = (globalThis as unknown as Record<string, ShimBuffer>)[name]!;
        return cases.map((c) =>
          c.how === "from" ? B.from(c.value, c.encoding).toString("hex") : B.from(c.value, "hex").toString(c.encoding, c.start, c.end),
        );
      },
      { name, cases },
    );

  beforeAll(async () => {
    browser = await launchChromium();
    page = await browser.newPage();
    await page.addScriptTag({ content: await shimScript("NativeShim") });
  }, 60_000);
  afterAll(async () => browser?.close());

  it("runs where the native base64 methods exist, so their path is the one checked", async () => {
    expect(
      await page.evaluate(() => {
        const u8 = Uint8Array as unknown as { fromBase64?: unknown; prototype: { toBase64?: unknown } };
        return [typeof u8.prototype.toBase64, typeof u8.fromBase64];
      }),
    ).toEqual(["function", "function"]);
  });

  it("gives Node's bytes and text for every input, junk included", async () => {
    const got = await answers("NativeShim");
    cases.forEach((c, i) => expect(got[i], JSON.stringify(c)).toBe(nodeAnswer(c)));
  });

  it("decodes and encodes as the package's own codec did, for every input, junk included", async () => {
    const native = await answers("NativeShim");
    await page.evaluate(() => {
      // The same shim without the native methods: the package's codecs, as before they were used.
      delete (Uint8Array as unknown as { fromBase64?: unknown }).fromBase64;
      delete (Uint8Array.prototype as unknown as { toBase64?: unknown }).toBase64;
    });
    await page.addScriptTag({ content: await shimScript("PackageShim") });
    expect(native).toEqual(await answers("PackageShim"));
  });
});
