// Precompiled CycloneDX validators: the same verdicts as compiling the schema, and only ever loaded under today's digest.
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { compileValidator, PRECOMPILED_DIR, writePrecompiledValidators } from "./cyclonedx-validators.ts";

const dirs: string[] = [];
// Beside the real cache, inside node_modules: the generated code requires ajv's runtime by package name.
const newDir = () => {
  mkdirSync(dirname(PRECOMPILED_DIR), { recursive: true });
  const dir = mkdtempSync(`${PRECOMPILED_DIR}-test-`);
  dirs.push(dir);
  return dir;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const valid = {
  bomFormat: "CycloneDX",
  specVersion: "1.7",
  version: 1,
  components: [{ type: "library", name: "left-pad", version: "1.3.0" }],
};
const invalid = [
  { ...valid, components: [{ type: "nope", name: "x" }] },
  { ...valid, surprise: true },
  { ...valid, components: [{ type: "library", name: 42 }] },
  { ...valid, metadata: { timestamp: "yesterday" } },
];

describe("CycloneDX validators", () => {
  it("precompiled code gives the verdicts and first errors of a fresh compile", async () => {
    const dir = newDir();
    const [file] = await writePrecompiledValidators(["1.7"], dir);
    expect(readdirSync(dir)).toEqual([file.split("/").pop()]);
    const precompiled = compileValidator("1.7", dir);
    expect(precompiled).toBe(createRequire(import.meta.url)(file)); // the module written above, not a compile
    const compiled = compileValidator("1.7", newDir()); // an empty folder: compiles the schema
    expect(compiled).not.toBe(precompiled);
    expect(precompiled(valid)).toBe(true);
    expect(compiled(valid)).toBe(true);
    for (const doc of invalid) {
      expect(precompiled(doc)).toBe(false);
      expect(compiled(doc)).toBe(false);
      const pick = (e: { instancePath: string; keyword: string; message?: string }) => ({
        at: e.instancePath,
        keyword: e.keyword,
        message: e.message,
      });
      expect(pick(precompiled.errors![0])).toEqual(pick(compiled.errors![0]));
    }
  }, 60_000);

  it("loads a file only under the digest of today's ajv, options and schemas", async () => {
    const dir = newDir();
    const [file] = await writePrecompiledValidators(["1.7"], dir);
    const name = file.split("/").pop()!;
    // Under another digest (an older schema or ajv): ignored, the schema compiles and still refuses bad input.
    const stale = name.replace(/-[0-9a-f]{32}\.cjs$/, `-${"0".repeat(32)}.cjs`);
    rmSync(file);
    writeFileSync(join(dir, stale), "module.exports = () => true;");
    expect(compileValidator("1.7", dir)(invalid[0])).toBe(false);
    // Under today's digest it is what runs (installed files are trusted as the packages beside them are).
    writeFileSync(join(dir, name), "module.exports = Object.assign(() => true, { fromFile: true });");
    expect((compileValidator("1.7", dir) as unknown as { fromFile?: boolean }).fromFile).toBe(true);
  }, 60_000);
});
