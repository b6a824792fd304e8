// Replay as the verifier runs it: fold each entry as the log check streams it, then compare with the stored rows.
import { Buffer } from "node:buffer";
import { type LedgerEvent, parseCanonicalEvent } from "../event/envelope.ts";
import { hasFold } from "./fold-event.ts";
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
 * How foldingEntries reads each entry's event. "checked": the same entries go through the log check (verifyLog), which
 * fails the whole verification unless every one is a valid envelope in RFC 8785 form; the fold only counts then, so it
 * peeks at the kind and reads only events a fold reads, with JSON.parse alone (parsing every event in full here as
 * well as in the log check was the replay's main cost). "unchecked": nothing else checks them (entries appended past
 * the head the log check read), so each is parsed and checked in full and one that fails is skipped.
 */
export type FoldingMode = "checked" | "unchecked";

/** Passes the entries through unchanged, folding each one from index `from` on. */
export async function* foldingEntries<E extends { index: number; canonical: Uint8Array }>(
  entries: AsyncIterable<E | E[]>,
  replay: ProjectionReplay,
  options: { from?: number; mode: FoldingMode },
): AsyncIterable<E | E[]> {
  const from = options.from ?? 0;
  for await (const page of entries) {
    for (const entry of Array.isArray(page) ? page : [page]) {
      if (entry.index < from) continue;
      const event = options.mode === "checked" ? foldedEventOf(entry.canonical) : parsedOrNull(entry.canonical);
      if (event) replay.add(event, entry.index);
    }
    yield page;
  }
}

function parsedOrNull(canonical: Uint8Array): LedgerEvent | null {
  try {
    return parseCanonicalEvent(canonical);
  } catch {
    return null; // the log check's to report
  }
}

const KIND_MEMBER = Buffer.from('"kind":"');

/**
 * The event, if its kind has a fold; null otherwise. Sound only for bytes the log check also checks: in a valid
 * canonical envelope the members come sorted (actor, id, kind, …), actor holds only strings and a string cannot hold
 * an unescaped quote, so the first `"kind":"` is the envelope's own. Bytes that are not so fail the log check.
 */
function foldedEventOf(canonical: Uint8Array): LedgerEvent | null {
  if (!(canonical instanceof Uint8Array)) return null;
  const bytes = Buffer.from(canonical.buffer, canonical.byteOffset, canonical.byteLength);
  const at = bytes.indexOf(KIND_MEMBER);
  if (at < 0) return null;
  const start = at + KIND_MEMBER.length;
  const end = bytes.indexOf(0x22, start);
  if (end < 0 || !hasFold(bytes.toString("latin1", start, end))) return null;
  try {
    return JSON.parse(bytes.toString("utf8")) as LedgerEvent;
  } catch {
    return null;
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
