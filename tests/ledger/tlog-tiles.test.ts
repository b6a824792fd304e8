// Reads the ledger the way a C2SP tlog-tiles client does: checkpoint → tiles → root and inclusion proof.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  buildInclusionProof,
  type HashReader,
  leafHash,
  nodeHash,
  parseEntryBundle,
  readTileHashes,
  TILE_WIDTH,
  tilePath,
  entriesPath,
  toBase64,
  verifyCheckpoint,
  verifyInclusion,
} from "../../ledger/core/index.ts";
import { CompactRange } from "../../ledger/verify/index.ts";
import { configFromEnv, createApp, composeServer, issueToken, type Services } from "../../server/index.ts";
import { createTestStore, STORE_KINDS, type TestStoreConfig } from "../support/test-stores.ts";
import { ORIGIN, testEvent } from "./ledger-fixture.ts";
import { itemAt } from "../../common/present.ts";

// The server may append its own events at start (e.g. policy activation): sizes below are read, not assumed.
const APPENDS = 600; // with those: two full level-0 tiles, one partial, and a partial level-1 tile of width 2

describe.each(STORE_KINDS)("tlog-tiles endpoints (%s)", (kind) => {
  let cfg: TestStoreConfig;
  let ctx: Services;
  let fetchTile: (path: string) => Response | Promise<Response>;

  beforeAll(async () => {
    cfg = await createTestStore(kind);
    ctx = await composeServer(configFromEnv({ dataDir: cfg.dataDir, databaseUrl: cfg.databaseUrl, origin: ORIGIN }, {}));
    const app = createApp(ctx);
    const key = ctx.ledger.keyring.token;
    const token = await issueToken({ kid: key.kid, privateKey: key.privateKey }, "auditor", "tiles", 3600);
    fetchTile = (path) => app.request(`/tlog/${path}`, { headers: { authorization: `Bearer ${token}` } });
    await Promise.all(Array.from({ length: APPENDS }, (_, i) => ctx.ledger.writer.append(testEvent(i))));
    await ctx.ledger.checkpointer.issue();
  });
  afterAll(async () => {
    await ctx?.close();
    await cfg?.cleanup();
  });

  const bytes = async (path: string) => {
    const res = await fetchTile(path);
    expect(res.status, path).toBe(200);
    return new Uint8Array(await res.arrayBuffer());
  };

  it("serves tiles from which a client rebuilds the signed root and proves inclusion", async () => {
    const cp = verifyCheckpoint(new TextDecoder().decode(await bytes("checkpoint")), ctx.checkpointVkey, ORIGIN);
    expect(cp.size).toBe((await ctx.ledger.reader.head()).size);
    expect(Math.floor(cp.size / TILE_WIDTH)).toBe(2);
    const width = (tileIndex: number, nodes: number) => Math.min(TILE_WIDTH, nodes - tileIndex * TILE_WIDTH);
    const partial = (w: number) => (w === TILE_WIDTH ? undefined : w);

    // Level 0: leaf hashes, checked against the entry bundles' bytes.
    const leaves: Uint8Array[] = [];
    for (let t = 0; t * TILE_WIDTH < cp.size; t++) {
      const w = width(t, cp.size);
      const hashes = readTileHashes(await bytes(tilePath(0, t, partial(w))));
      const entries = parseEntryBundle(await bytes(entriesPath(t, partial(w))));
      expect(hashes).toHaveLength(w);
      expect(entries.map((e) => toBase64(leafHash(e)))).toEqual(hashes.map(toBase64));
      leaves.push(...hashes);
    }
    const range = new CompactRange();
    for (const h of leaves) range.append(h);
    expect(toBase64(range.root())).toBe(toBase64(cp.rootHash));

    // Level 1 holds level-8 nodes: two complete 256-leaf subtrees.
    const level1 = readTileHashes(await bytes(tilePath(1, 0, 2)));
    const sub = new CompactRange();
    for (const h of leaves.slice(256, 512)) sub.append(h);
    expect(toBase64(itemAt(level1, 1, "level-1 tile"))).toBe(toBase64(sub.root()));

    // Any node is a stored tile hash (level 8·L) or hashed up from the tile below it.
    const hashAt = (level: number, index: number): Uint8Array => {
      if (level === 0) return itemAt(leaves, index, "leaves");
      if (level === 8) return itemAt(level1, index, "level-1 tile");
      return nodeHash(hashAt(level - 1, 2 * index), hashAt(level - 1, 2 * index + 1));
    };
    const tiles: HashReader = { getHashes: async (coords) => coords.map((c) => hashAt(c.level, c.index)) };
    for (const index of [0, 255, 256, 511, cp.size - 1]) {
      const proof = await buildInclusionProof(tiles, index, cp.size);
      verifyInclusion({ leafHash: itemAt(leaves, index, "leaves"), index, size: cp.size, proof, root: cp.rootHash });
      const served = await ctx.ledger.reader.inclusionProof(index, cp.size);
      expect(served.hashes.map(toBase64)).toEqual(proof.map(toBase64));
    }
  });

  it("refuses tiles the tree does not have (404) and malformed paths (400)", async () => {
    const last = (await ctx.ledger.reader.head()).size % TILE_WIDTH; // width of the partial level-0 tile
    for (const path of [
      "tile/0/002",
      `tile/0/002.p/${last + 1}`,
      "tile/0/003.p/1",
      "tile/1/000",
      "tile/1/000.p/3",
      "tile/entries/002",
      "tile/2/000.p/1",
    ]) {
      const res = await fetchTile(path);
      expect({ path, status: res.status }).toEqual({ path, status: 404 });
    }
    for (const path of ["tile/0/2", "tile/0/x000/002", "tile/0/000.p/256", "tile/0/000.p/0", "tile/64/000", "tile/entries/abc"]) {
      const res = await fetchTile(path);
      expect({ path, status: res.status }).toEqual({ path, status: 400 });
      expect(((await res.json()) as any).error.field).toBe("path");
    }
    expect((await fetchTile(`tile/0/002.p/${last}`)).status).toBe(200);
    expect((await fetchTile(`tile/entries/002.p/${last}`)).status).toBe(200);
  });
});
