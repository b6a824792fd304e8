// The pieces of a batch the writer commits: pending appends grouped into commit units, their entry and projection
// rows, and the right-edge hashes carried to the next batch.
import { coordKey, rootCoords } from "../core/index.ts";
import { subjectKey } from "../event/envelope.ts";
import type { AppendedEntry, AppendOptions, AppTables, NoAppTables } from "./ledger-writer.ts";
import type { EntryRow } from "./one-statement-batch.ts";

/** An append waiting for its batch; `DB` is the application's tables its `apply` sees beside the ledger's. */
export interface Pending<DB extends AppTables = NoAppTables> {
  entry: Omit<AppendedEntry, "index">;
  canonical: Uint8Array;
  apply?: AppendOptions<DB>["apply"];
  rows?: AppendOptions["rows"];
  /** The event's fold needs reads or updates rows: it runs in the transaction, in the append's savepoint. */
  fold?: boolean;
  attached?: AppendOptions["attached"];
  conflict?: AppendOptions["conflict"];
  readAt?: number;
  /** Committing it leaves the writer's generation where it is (AppendOptions.leavesReadsValid, and no `apply`). */
  leavesReadsValid: boolean;
  /** Refused before its batch committed (stale reads): skipped if the batch is split and committed again. */
  dropped?: boolean;
  /** Set for appendAll's events: they commit together or not at all. */
  group?: Pending<DB>[];
  resolve: (entry: AppendedEntry) => void;
  reject: (err: unknown) => void;
}

export interface Frontier {
  size: number;
  root: Uint8Array;
  hashes: Map<string, Uint8Array>;
}

/** The batch as commit units: a lone append, or all of one appendAll group (kept contiguous by #drain). */
export function unitsOf<P extends { group?: unknown }>(batch: P[]): P[][] {
  const units: P[][] = [];
  for (const p of batch) {
    const last = units.at(-1);
    if (p.group && last && last[0]?.group === p.group) last.push(p);
    else units.push([p]);
  }
  return units;
}

/** The connection went away under us: a socket error, or PostgreSQL's admin/crash shutdown codes (57P01–57P03). */
export function isConnectionLost(err: unknown): boolean {
  const code = typeof err === "object" && err !== null ? String((err as { code?: unknown }).code ?? "") : "";
  return (
    ["ECONNRESET", "EPIPE", "ECONNREFUSED", "57P01", "57P02", "57P03"].includes(code) ||
    /Connection terminated/i.test(String((err as Error)?.message))
  );
}

/** SQLSTATE 23505 (unique) or 23503 (foreign key), from node-pg and PGlite alike: one append's rows, not an outage. */
export function isConstraintViolation(err: unknown): boolean {
  const code = typeof err === "object" && err !== null ? (err as { code?: unknown }).code : undefined;
  return code === "23505" || code === "23503";
}

/**
 * The database refused one row's data rather than failing as a whole: a constraint violation (SQLSTATE class 23) or a
 * data exception (class 22: e.g. 22P05, a NUL that text or jsonb cannot hold; 22P02, an invalid escape). Retrying
 * the batch without that row can succeed; a connection or server failure (classes 08, 53, 57…) cannot.
 */
export function isRowRefused(err: unknown): boolean {
  const code = typeof err === "object" && err !== null ? (err as { code?: unknown }).code : undefined;
  return typeof code === "string" && /^2[23][0-9A-Z]{3}$/.test(code);
}

export function entryRows<DB extends AppTables>(batch: Pending<DB>[], firstIndex: number): EntryRow[] {
  return batch.map((p, i) => ({
    idx: firstIndex + i,
    event_id: p.entry.event.id,
    kind: p.entry.event.kind,
    subject: subjectKey(p.entry.event.subject),
    leaf_hash: p.entry.leafHash,
    canonical: p.canonical,
    signature: p.entry.signature,
  }));
}

export function projectionRows<DB extends AppTables>(batch: Pending<DB>[], firstIndex: number): Map<string, Record<string, unknown>[]> {
  const byTable = new Map<string, Record<string, unknown>[]>();
  batch.forEach((p, i) => {
    for (const row of p.rows?.(firstIndex + i, p.entry.event) ?? []) {
      const list = byTable.get(row.table) ?? [];
      list.push(row.values);
      byTable.set(row.table, list);
    }
  });
  return byTable;
}

export function advanceFrontier(
  old: Frontier,
  leaves: Uint8Array[],
  nodes: Array<{ level: number; index: number; hash: Uint8Array }>,
  root: Uint8Array,
): Frontier {
  const size = old.size + leaves.length;
  const known = new Map(old.hashes);
  leaves.forEach((h, i) => known.set(coordKey({ level: 0, index: old.size + i }), h));
  for (const n of nodes) known.set(coordKey(n), n.hash);
  const hashes = new Map<string, Uint8Array>();
  for (const c of rootCoords(size)) hashes.set(coordKey(c), known.get(coordKey(c))!);
  return { size, root, hashes };
}
