// C2SP tlog-tiles (https://c2sp.org/tlog-tiles) read endpoints under /tlog/, built from the stored subtree hashes.
//
// A tile at level L holds the Merkle nodes of level 8·L; ledger_nodes stores every complete aligned
// subtree (level 0 lives in ledger_entries), so each tile is one range read. Tiles never change once
// their width is reached, so they are served as immutable; bad paths are 400, tiles the tree does not
// have yet are 404.
import { MaestroError } from "../../../common/errors.ts";
import { formatEntryBundle, parseTilePath, TILE_HEIGHT, TILE_WIDTH, tileWidth } from "../../../ledger/core/index.ts";
import type { Services } from "../../compose.ts";
import { EVIDENCE, type Route } from "../route.ts";
import { checkpointNote } from "./ledger.ts";

const PREFIX = "/tlog/";

export const tlogTilesRoutes: readonly Route[] = [
  { method: "GET", path: "/tlog/checkpoint", ...EVIDENCE, publicLog: true, does: "C2SP tlog-tiles checkpoint", ...checkpointNote },
  {
    method: "GET",
    path: "/tlog/tile/*",
    ...EVIDENCE,
    publicLog: true,
    does: "C2SP tlog-tiles tiles and entry bundles",
    response: { content: { "application/octet-stream": { type: "string" } } },
    handler: (ctx: Pick<Services, "ledger" | "db">) => async (c) => {
      const tile = parseTilePath(c.req.path.slice(PREFIX.length));
      const { size } = await ctx.ledger.reader.head();
      const level = tile.kind === "hash" ? tile.level : 0;
      const width = tile.width ?? TILE_WIDTH;
      const available = tileWidth(level, tile.index, size);
      if (width > available) {
        throw new MaestroError("not_found", `tile ${c.req.path} is not available at tree size ${size} (width ${available})`, {
          field: "path",
        });
      }
      const first = tile.index * TILE_WIDTH;
      const body = tile.kind === "entries" ? await entryBundle(ctx, first, width) : await hashTile(ctx, TILE_HEIGHT * level, first, width);
      return c.body(body, 200, { "Content-Type": "application/octet-stream", "Cache-Control": "public, max-age=31536000, immutable" });
    },
  },
];

async function hashTile(
  ctx: Pick<Services, "ledger" | "db">,
  level: number,
  first: number,
  width: number,
): Promise<Uint8Array<ArrayBuffer>> {
  const rows: Array<{ idx: number; hash: Uint8Array }> =
    level === 0
      ? await ctx.db
          .selectFrom("ledger_entries")
          .select(["idx", "leaf_hash as hash"])
          .where("idx", ">=", first)
          .where("idx", "<", first + width)
          .orderBy("idx")
          .execute()
      : await ctx.db
          .selectFrom("ledger_nodes")
          .select(["idx", "hash"])
          .where("level", "=", level)
          .where("idx", ">=", first)
          .where("idx", "<", first + width)
          .orderBy("idx")
          .execute();
  checkComplete(rows, first, width, level);
  const out = new Uint8Array(32 * width);
  rows.forEach((r, i) => {
    out.set(r.hash, 32 * i);
  });
  return out;
}

async function entryBundle(ctx: Pick<Services, "ledger" | "db">, first: number, width: number): Promise<Uint8Array<ArrayBuffer>> {
  const rows: Array<{ idx: number; canonical: Uint8Array }> = await ctx.db
    .selectFrom("ledger_entries")
    .select(["idx", "canonical"])
    .where("idx", ">=", first)
    .where("idx", "<", first + width)
    .orderBy("idx")
    .execute();
  checkComplete(rows, first, width, -1);
  return formatEntryBundle(rows.map((r) => new Uint8Array(r.canonical))) as Uint8Array<ArrayBuffer>;
}

function checkComplete(rows: Array<{ idx: number }>, first: number, width: number, level: number): void {
  if (rows.length !== width || rows.some((r, i) => Number(r.idx) !== first + i)) {
    throw new MaestroError("internal", `ledger storage is missing rows for ${level < 0 ? "entries" : `level ${level}`} from ${first}`);
  }
}
