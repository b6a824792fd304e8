// Tests for tlog-tiles path math and the tessera test log (tests/fixtures/vectors/tlog-tiles).
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { MaestroError } from "../../common/errors.ts";
import { verifyCheckpoint } from "./checkpoint.ts";
import { leafHash } from "./hash.ts";
import { buildConsistencyProof, buildInclusionProof, computeRoot } from "./proof-plan.ts";
import { verifyConsistency, verifyInclusion } from "./proof-verify.ts";
import { MemoryTree } from "./test-support.ts";
import {
  encodeTileIndex,
  entriesPath,
  formatEntryBundle,
  parseEntryBundle,
  parseTilePath,
  readTileHashes,
  tileNodeCoords,
  tilePath,
  tileWidth,
} from "./tiles.ts";
import { itemAt } from "../../common/present.ts";

const LOG = fileURLToPath(new URL("../../tests/fixtures/vectors/tlog-tiles/log/", import.meta.url));
const VKEY = "example.com/log/testdata+33d7b496+AeHTu4Q3hEIMHNqc6fASMsq3rKNx280NI+oO5xCFkkSx";
const ENTRIES = "one two three four five six seven eit nain ten ileven twelf threeten fourten fivten".split(" ");
const read = (p: string) => new Uint8Array(readFileSync(LOG + p));

describe("tile paths", () => {
  it("encodes indexes in x-prefixed 3-digit groups", () => {
    expect(encodeTileIndex(0)).toBe("000");
    expect(encodeTileIndex(999)).toBe("999");
    expect(encodeTileIndex(1000)).toBe("x001/000");
    expect(encodeTileIndex(1234067)).toBe("x001/x234/067");
    expect(tilePath(0, 1234, 5)).toBe("tile/0/x001/234.p/5");
    expect(tilePath(1, 1234067)).toBe("tile/1/x001/x234/067");
    expect(tilePath(2, 3, 256)).toBe("tile/2/003");
    expect(entriesPath(1234067, 255)).toBe("tile/entries/x001/x234/067.p/255");
  });

  it("parses what it formats and nothing else", () => {
    for (const [l, i, w] of [
      [0, 0, undefined],
      [0, 1234, 5],
      [63, Number.MAX_SAFE_INTEGER, 255],
    ] as const) {
      const want = w === undefined ? { kind: "hash", level: l, index: i } : { kind: "hash", level: l, index: i, width: w };
      expect(parseTilePath(tilePath(l, i, w))).toEqual(want);
    }
    expect(parseTilePath("tile/entries/x001/000.p/3")).toEqual({ kind: "entries", index: 1000, width: 3 });
    for (const bad of [
      "tile/0/1",
      "tile/0/0001",
      "tile/00/000",
      "tile/64/000",
      "tile/0/x000/001",
      "tile/0/001/x002",
      "tile/0/001.p/0",
      "tile/0/001.p/256",
      "tile/0/001.p/05",
      "tile/0/001.p",
      "tile/entries/x1/000",
      "/tile/0/000",
    ]) {
      expect(() => parseTilePath(bad), bad).toThrow(MaestroError);
    }
    expect(() => tilePath(0, 1, 0)).toThrow(MaestroError);
    expect(() => tilePath(64, 1)).toThrow(MaestroError);
  });

  it("widths and node coordinates", () => {
    expect(tileWidth(0, 0, 15)).toBe(15);
    expect(tileWidth(0, 1, 700)).toBe(256);
    expect(tileWidth(0, 2, 700)).toBe(188);
    expect(tileWidth(1, 0, 700)).toBe(2);
    expect(tileWidth(1, 0, 255)).toBe(0);
    expect(tileNodeCoords(1, 2, 3)).toEqual([
      { level: 8, index: 512 },
      { level: 8, index: 513 },
      { level: 8, index: 514 },
    ]);
  });

  it("entry bundles round trip and reject truncation", () => {
    const e = [new Uint8Array(), Uint8Array.of(1, 2, 3), new Uint8Array(300)];
    expect(parseEntryBundle(formatEntryBundle(e))).toEqual(e);
    expect(() => parseEntryBundle(Uint8Array.of(0))).toThrow(MaestroError);
    expect(() => parseEntryBundle(Uint8Array.of(0, 2, 1))).toThrow(MaestroError);
    expect(() => readTileHashes(new Uint8Array(33))).toThrow(MaestroError);
  });
});

describe("tessera test log", () => {
  const sizes = readdirSync(LOG)
    .filter((f) => /^checkpoint\.\d+$/.test(f))
    .map((f) => Number(f.split(".")[1]))
    .sort((a, b) => a - b);
  const leaves = ENTRIES.map((s) => leafHash(new TextEncoder().encode(s)));
  const tree = new MemoryTree();
  tree.append(leaves);

  it("has the checkpoints", () => {
    expect(sizes).toEqual(Array.from({ length: 16 }, (_, i) => i));
    expect(verifyCheckpoint(new TextDecoder().decode(read("checkpoint")), VKEY).size).toBe(15);
  });

  it.each(sizes)("checkpoint.%i verifies, matches our root and the tiles", async (n) => {
    const cp = verifyCheckpoint(new TextDecoder().decode(read(`checkpoint.${n}`)), VKEY, "example.com/log/testdata");
    expect(cp.size).toBe(n);
    expect(await computeRoot(tree, n)).toEqual(cp.rootHash);
    if (n === 0) return;
    // The entry bundle of this size holds exactly the README's first n strings.
    const bundle = parseEntryBundle(read(entriesPath(0, n)));
    expect(bundle.map((b) => new TextDecoder().decode(b))).toEqual(ENTRIES.slice(0, n));
    // The level-0 tile holds the same leaf hashes at the coordinates our path math names.
    const width = tileWidth(0, 0, n);
    expect(width).toBe(n);
    const hashes = readTileHashes(read(tilePath(0, 0, width)));
    const coords = tileNodeCoords(0, 0, width);
    expect(hashes).toEqual(await tree.getHashes(coords));
    // And proofs from our store verify against the signed root.
    for (let i = 0; i < n; i++) {
      verifyInclusion({
        leafHash: itemAt(hashes, i, "tile hashes"),
        index: i,
        size: n,
        proof: await buildInclusionProof(tree, i, n),
        root: cp.rootHash,
      });
    }
  });

  it("consecutive signed checkpoints are consistent", async () => {
    const roots = sizes.map((n) => verifyCheckpoint(new TextDecoder().decode(read(`checkpoint.${n}`)), VKEY).rootHash);
    for (let m = 1; m <= 15; m++) {
      for (let n = m; n <= 15; n++) {
        const proof = await buildConsistencyProof(tree, m, n);
        verifyConsistency({ size1: m, size2: n, root1: itemAt(roots, m, "roots"), root2: itemAt(roots, n, "roots"), proof });
      }
    }
  });
});
