// Replay as the verifier runs it: fold each entry as the log check streams it, then compare with the stored rows.
import { parseCanonicalEvent } from "../event/envelope.ts";
import { compareTable, type ProjectionFinding } from "./compare-rows.ts";
import { ProjectionReplay, type RefusedEvent } from "./replay.ts";
import { PROJECTION_TABLES } from "./table-specs.ts";

export interface ProjectionReport {
  /** The tables compared, every row and every column of each. */
  tables: string[];
  findings: ProjectionFinding[];
  /** Ledgered events the projection refuses (a decision in another token's session, an outcome of a denied decision). */
  refused: RefusedEvent[];
}

/**
 * Passes the entries through unchanged, folding each one from index `from` on; bytes that do not parse are the log
 * check's to report.
 */
export async function* foldingEntries<E extends { index: number; canonical: Uint8Array }>(
  entries: AsyncIterable<E | E[]>,
  replay: ProjectionReplay,
  from = 0,
): AsyncIterable<E | E[]> {
  for await (const page of entries) {
    for (const entry of Array.isArray(page) ? page : [page]) {
      if (entry.index < from) continue;
      let event;
      try {
        event = parseCanonicalEvent(entry.canonical);
      } catch {
        continue;
      }
      replay.add(event, entry.index);
    }
    yield page;
  }
}

/** The projection tables' names, for a store to read in one snapshot. */
export const PROJECTION_TABLE_NAMES = PROJECTION_TABLES.map((t) => t.table);

/** Compares every projection table with the replay; `stored` holds each table's rows as the store returned them. */
export function compareProjections(replay: ProjectionReplay, stored: Map<string, Array<Record<string, unknown>>>): ProjectionReport {
  const findings: ProjectionFinding[] = [];
  for (const spec of PROJECTION_TABLES) findings.push(...compareTable(spec, stored.get(spec.table) ?? [], replay.tables.get(spec.table)!));
  return { tables: PROJECTION_TABLE_NAMES, findings, refused: replay.refused };
}
