// Tests for the witness list (MAESTRO_WITNESSES) and quorum: what a bad file is refused for.
import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { MaestroError } from "../../common/errors.ts";
import { ed25519PublicRaw, formatCosignerVkey, formatVkey } from "../core/index.ts";
import { loadWitnessPolicy, parseWitnessList } from "./witness-list.ts";

const raw = () => ed25519PublicRaw(generateKeyPairSync("ed25519").privateKey);
const [w1, w2] = [formatCosignerVkey("w.test/1", raw()), formatCosignerVkey("w.test/2", raw())];
const dir = mkdtempSync(join(tmpdir(), "witness-list-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function refusal(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(MaestroError);
    return (e as MaestroError).message;
  }
  return "accepted";
}

describe("witness list", () => {
  it("reads vkey URL lines, skipping comments and blanks, and trims the URL's trailing slash", () => {
    const list = parseWitnessList(`# ours\n\n${w1} https://w1.test/prefix/\n  ${w2}   http://127.0.0.1:7380\n`);
    expect(list.map((w) => [w.cosigner.name, w.url])).toEqual([
      ["w.test/1", "https://w1.test/prefix"],
      ["w.test/2", "http://127.0.0.1:7380"],
    ]);
  });

  it("refuses malformed lines, log keys, odd URLs and duplicates, naming the line", () => {
    expect(refusal(() => parseWitnessList(`${w1}\n`))).toMatch(/line 1: expected "vkey URL"/);
    expect(refusal(() => parseWitnessList(`${formatVkey("w.test/1", raw())} https://w\n`))).toMatch(/line 1: .*0x04/);
    expect(refusal(() => parseWitnessList(`\n${w1} ftp://w\n`))).toMatch(/line 2: the URL must be http/);
    expect(refusal(() => parseWitnessList(`${w1} https://u:p@w\n`))).toMatch(/no credentials/);
    expect(refusal(() => parseWitnessList(`${w1} https://a\n${w1} https://b\n`))).toMatch(/line 2: witness w\.test\/1 is listed twice/);
  });

  it("checks the quorum against the list; default is every witness", () => {
    const file = join(dir, "w.txt");
    writeFileSync(file, `${w1} https://a\n${w2} https://b\n`);
    expect(loadWitnessPolicy(file, undefined).quorum).toBe(2);
    expect(loadWitnessPolicy(file, 1).quorum).toBe(1);
    for (const q of [0, 3, 1.5]) expect(refusal(() => loadWitnessPolicy(file, q))).toMatch(/QUORUM must be 1\.\.2/);
    expect(refusal(() => loadWitnessPolicy(undefined, 1))).toMatch(/no witnesses/);
    expect(refusal(() => loadWitnessPolicy(join(dir, "missing"), undefined))).toMatch(/cannot read/);
    expect(loadWitnessPolicy(undefined, undefined)).toEqual({ witnesses: [], quorum: 0 });
  });
});
