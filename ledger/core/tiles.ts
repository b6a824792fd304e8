// C2SP tlog-tiles (https://c2sp.org/tlog-tiles): tile paths, tile contents and entry bundles.
import { itemAt, present } from "../../common/present.ts";
import { MaestroError } from "../../common/errors.ts";
import { HASH_SIZE } from "./hash.ts";
import { assertIndex, pow2 } from "./int.ts";
import type { NodeCoord } from "./subtree.ts";

/** Tiles are 8 levels tall, so a full tile holds 2^8 = 256 hashes (or entries). */
export const TILE_HEIGHT = 8;
export const TILE_WIDTH = 256;
/** Largest entry a C2SP entry bundle can hold: each entry is prefixed by a 16-bit big-endian length. */
export const MAX_ENTRY_BYTES = 0xffff;
const MAX_TILE_LEVEL = 63;

export type TilePath = { kind: "hash"; level: number; index: number; width?: number } | { kind: "entries"; index: number; width?: number };

function bad(reason: string, field: string): never {
  throw new MaestroError("bad_request", reason, { field, details: { reason } });
}

/** N as zero-padded 3-digit elements, all but the last prefixed with "x": 1234067 → x001/x234/067. */
export function encodeTileIndex(index: number): string {
  assertIndex(index, "index");
  let digits = String(index);
  digits = digits.padStart(Math.ceil(digits.length / 3) * 3, "0");
  const groups = digits.match(/.{3}/g) as string[];
  return groups.map((g, i) => (i < groups.length - 1 ? `x${g}` : g)).join("/");
}

function widthSuffix(width: number | undefined): string {
  if (width === undefined || width === TILE_WIDTH) return ""; // a full tile has no .p suffix
  if (!Number.isInteger(width) || width < 1 || width > TILE_WIDTH - 1) bad("partial width must be 1..255", "width");
  return `.p/${width}`;
}

export function tilePath(level: number, index: number, partialWidth?: number): string {
  if (!Number.isInteger(level) || level < 0 || level > MAX_TILE_LEVEL) bad("tile level must be 0..63", "level");
  return `tile/${level}/${encodeTileIndex(index)}${widthSuffix(partialWidth)}`;
}

export function entriesPath(index: number, partialWidth?: number): string {
  return `tile/entries/${encodeTileIndex(index)}${widthSuffix(partialWidth)}`;
}

const TILE_RE = /^tile\/(entries|0|[1-9][0-9]?)\/((?:x[0-9]{3}\/)*)([0-9]{3})(?:\.p\/([1-9][0-9]{0,2}))?$/;

/** Strict inverse of tilePath/entriesPath (canonical index groups, level 0..63, width 1..255). */
export function parseTilePath(path: string): TilePath {
  const m = TILE_RE.exec(path);
  if (!m) bad("not a tile path", "path");
  const [, kind, xGroups, last, w] = m;
  const groups = [
    ...present(xGroups, "the index groups of a matched tile path")
      .split("/")
      .filter((g) => g !== "")
      .map((g) => g.slice(1)),
    last,
  ];
  if (groups.length > 1 && groups[0] === "000") bad("tile index has a leading zero group", "path");
  const index = Number(groups.join(""));
  if (!Number.isSafeInteger(index)) bad("tile index is too large", "path");
  const width = w === undefined ? undefined : Number(w);
  if (width !== undefined && width > TILE_WIDTH - 1) bad("partial width must be 1..255", "path");
  if (kind === "entries") return width === undefined ? { kind, index } : { kind, index, width };
  const level = Number(kind);
  if (level > MAX_TILE_LEVEL) bad("tile level must be 0..63", "path");
  return width === undefined ? { kind: "hash", level, index } : { kind: "hash", level, index, width };
}

/** Hashes present in tile (level, index) of a tree of `size` leaves: 0 (absent) .. 256 (full). */
export function tileWidth(tileLevel: number, tileIndex: number, size: number): number {
  assertIndex(size, "size");
  assertIndex(tileIndex, "tileIndex");
  const nodes = Math.floor(size / pow2(TILE_HEIGHT * tileLevel)); // complete nodes at level 8·L
  return Math.max(0, Math.min(TILE_WIDTH, nodes - tileIndex * TILE_WIDTH));
}

/** Tile level L holds the nodes of Merkle level 8·L, `width` of them from index N·256. */
export function tileNodeCoords(tileLevel: number, tileIndex: number, width: number): NodeCoord[] {
  assertIndex(tileIndex, "tileIndex");
  if (!Number.isInteger(tileLevel) || tileLevel < 0 || TILE_HEIGHT * tileLevel > 53) bad("tile level out of range", "level");
  if (!Number.isInteger(width) || width < 1 || width > TILE_WIDTH) bad("tile width must be 1..256", "width");
  const level = TILE_HEIGHT * tileLevel;
  return Array.from({ length: width }, (_, j) => ({ level, index: tileIndex * TILE_WIDTH + j }));
}

/** A hash tile is its hashes concatenated. */
export function readTileHashes(bytes: Uint8Array): Uint8Array[] {
  if (bytes.length === 0 || bytes.length % HASH_SIZE !== 0 || bytes.length > TILE_WIDTH * HASH_SIZE) {
    bad(`tile length ${bytes.length} is not 1..256 hashes of 32 bytes`, "tile");
  }
  const out: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += HASH_SIZE) out.push(bytes.slice(i, i + HASH_SIZE));
  return out;
}

/** Entry bundle: each entry prefixed by its big-endian uint16 length. */
export function parseEntryBundle(bytes: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  let pos = 0;
  while (pos < bytes.length) {
    if (pos + 2 > bytes.length) bad("entry bundle ends inside a length prefix", "bundle");
    const len = (itemAt(bytes, pos, "entry bundle") << 8) | itemAt(bytes, pos + 1, "entry bundle");
    if (pos + 2 + len > bytes.length) bad("entry bundle ends inside an entry", "bundle");
    out.push(bytes.slice(pos + 2, pos + 2 + len));
    pos += 2 + len;
  }
  if (out.length > TILE_WIDTH) bad("entry bundle holds more than 256 entries", "bundle");
  return out;
}

export function formatEntryBundle(entries: Uint8Array[]): Uint8Array {
  if (entries.length > TILE_WIDTH) bad("entry bundle holds at most 256 entries", "entries");
  const total = entries.reduce((n, e) => n + 2 + e.length, 0);
  const out = new Uint8Array(total);
  let pos = 0;
  for (const e of entries) {
    if (e.length > MAX_ENTRY_BYTES) bad(`entry longer than ${MAX_ENTRY_BYTES} bytes`, "entries");
    out[pos] = e.length >> 8;
    out[pos + 1] = e.length & 0xff;
    out.set(e, pos + 2);
    pos += 2 + e.length;
  }
  return out;
}
