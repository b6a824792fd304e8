// Runs every transparency-dev/merkle proof vector (tests/fixtures/vectors/rfc6962) through the verifiers.
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { MaestroError } from "../../common/errors.ts";
import { fromBase64 } from "./hash.ts";
import { verifyConsistency, verifyInclusion } from "./proof-verify.ts";

const ROOT = fileURLToPath(new URL("../../tests/fixtures/vectors/rfc6962/", import.meta.url));

function jsonFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith(".json"))
    .map((e) => relative(ROOT, join(e.parentPath, e.name)))
    .sort();
}

const b64 = (s: string) => fromBase64(s, "vector");
const proofOf = (p: string[] | null) => (p ?? []).map(b64);

/** Runs `verify`; returns the rejection (a MaestroError proof_invalid) or null when accepted. */
function outcome(verify: () => void): MaestroError | null {
  try {
    verify();
    return null;
  } catch (e) {
    expect(e).toBeInstanceOf(MaestroError);
    expect((e as MaestroError).code).toBe("proof_invalid");
    return e as MaestroError;
  }
}

const inclusion = jsonFiles(join(ROOT, "inclusion"));
const consistency = jsonFiles(join(ROOT, "consistency"));

describe("rfc6962 vectors", () => {
  it("found the vector files", () => {
    expect(inclusion.length).toBeGreaterThan(50);
    expect(consistency.length).toBeGreaterThan(50);
  });

  it.each(inclusion)("inclusion %s", (file) => {
    const v = JSON.parse(readFileSync(join(ROOT, file), "utf8"));
    const err = outcome(() =>
      verifyInclusion({
        leafHash: b64(v.leafHash),
        index: v.leafIdx,
        size: v.treeSize,
        proof: proofOf(v.proof),
        root: b64(v.root),
      }),
    );
    expect(err === null, `${v.desc}: ${err?.message}`).toBe(!v.wantErr);
  });

  it.each(consistency)("consistency %s", (file) => {
    const v = JSON.parse(readFileSync(join(ROOT, file), "utf8"));
    const err = outcome(() =>
      verifyConsistency({
        size1: v.size1,
        size2: v.size2,
        root1: b64(v.root1),
        root2: b64(v.root2),
        proof: proofOf(v.proof),
      }),
    );
    expect(err === null, `${v.desc}: ${err?.message}`).toBe(!v.wantErr);
  });
});
