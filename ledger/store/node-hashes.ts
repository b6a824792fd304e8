// Reads complete-subtree hashes from storage: level 0 from ledger_entries, level >= 1 from ledger_nodes.
import type { Kysely } from "kysely";
import { MaestroError } from "../../common/errors.ts";
import type { HashReader, NodeCoord } from "../core/index.ts";
import type { LedgerTables } from "./schema.ts";

export async function readNodeHashes(db: Kysely<LedgerTables>, coords: NodeCoord[]): Promise<Uint8Array[]> {
  if (coords.length === 0) return [];
  const found = new Map<string, Uint8Array>();
  const leafIdx = coords.filter((c) => c.level === 0).map((c) => c.index);
  const inner = coords.filter((c) => c.level > 0);
  const [leaves, nodes] = await Promise.all([
    leafIdx.length ? db.selectFrom("ledger_entries").select(["idx", "leaf_hash"]).where("idx", "in", leafIdx).execute() : [],
    inner.length
      ? db
          .selectFrom("ledger_nodes")
          .select(["level", "idx", "hash"])
          .where((eb) => eb.or(inner.map((c) => eb.and([eb("level", "=", c.level), eb("idx", "=", c.index)]))))
          .execute()
      : [],
  ]);
  for (const row of leaves) found.set(`0/${Number(row.idx)}`, new Uint8Array(row.leaf_hash));
  for (const row of nodes) found.set(`${row.level}/${Number(row.idx)}`, new Uint8Array(row.hash));
  return coords.map((c) => {
    const hash = found.get(`${c.level}/${c.index}`);
    if (!hash) {
      throw new MaestroError("internal", `ledger storage is missing subtree hash level ${c.level} index ${c.index}`);
    }
    return hash;
  });
}

export function storeHashReader(db: Kysely<LedgerTables>): HashReader {
  return { getHashes: (coords) => readNodeHashes(db, coords) };
}
