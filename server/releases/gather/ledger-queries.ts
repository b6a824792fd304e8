// Read-only queries on the ledger's entries for evidence gathering: by index, by subject, by kind — always below a fixed tree size.
import type { Kysely } from "kysely";
import { parseCanonicalEvent } from "../../../ledger/event/envelope.ts";
import { type IndexedEvent } from "../../../evidence/index.ts";
import type { AppDb } from "../../db/app-db.ts";

export interface EvidenceEntry extends IndexedEvent {
  leafHash: Uint8Array;
  canonical: Uint8Array;
  signature: string;
}

const CHUNK = 1000;
const COLUMNS = ["idx", "leaf_hash", "canonical", "signature"] as const;

type Row = { idx: number; leaf_hash: Uint8Array; canonical: Uint8Array; signature: string };

function toEntry(row: Row): EvidenceEntry {
  const canonical = new Uint8Array(row.canonical);
  return {
    index: Number(row.idx),
    leafHash: new Uint8Array(row.leaf_hash),
    canonical,
    signature: row.signature,
    event: parseCanonicalEvent(canonical),
  };
}

function chunks<T>(xs: T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += CHUNK) out.push(xs.slice(i, i + CHUNK));
  return out;
}

export async function entriesByIndex(db: Kysely<AppDb>, indexes: number[], below: number): Promise<EvidenceEntry[]> {
  const out: EvidenceEntry[] = [];
  for (const part of chunks([...new Set(indexes)])) {
    const rows = await db.selectFrom("ledger_entries").select(COLUMNS).where("idx", "in", part).where("idx", "<", below).execute();
    out.push(...rows.map(toEntry));
  }
  return out;
}

export async function entriesBySubject(db: Kysely<AppDb>, subjects: string[], below: number): Promise<EvidenceEntry[]> {
  const out: EvidenceEntry[] = [];
  for (const part of chunks([...new Set(subjects)])) {
    const rows = await db.selectFrom("ledger_entries").select(COLUMNS).where("subject", "in", part).where("idx", "<", below).execute();
    out.push(...rows.map(toEntry));
  }
  return out;
}

/** Every event whose kind is one of `kinds` or starts with one of `prefixes` (e.g. "hold."). */
export async function entriesByKind(db: Kysely<AppDb>, kinds: string[], prefixes: string[], below: number): Promise<EvidenceEntry[]> {
  const rows = await db
    .selectFrom("ledger_entries")
    .select(COLUMNS)
    .where("idx", "<", below)
    .where((eb) => eb.or([...kinds.map((k) => eb("kind", "=", k)), ...prefixes.map((p) => eb("kind", "like", `${p}%`))]))
    .orderBy("idx")
    .execute();
  return rows.map(toEntry);
}
