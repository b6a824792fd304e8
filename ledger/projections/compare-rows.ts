// Compares the rows a store holds with the replayed ones: every difference names table, key, column, stored, expected.
import { canonicalJson } from "../event/canonical-json.ts";
import { keyText, type ProjectionValue, type Row } from "./row-change.ts";
import { type ColumnType, normalizeValue, type TableSpec } from "./table-specs.ts";

export interface ProjectionFinding {
  table: string;
  /** The row's key as `column=value`. */
  key: string;
  /** The column that differs; for a row that should not exist or is missing, its key column(s). */
  column: string;
  stored: ProjectionValue | "(no row)";
  expected: ProjectionValue | "(no row)";
}

/** Differences between one table's stored rows (as the driver returns them) and its replayed rows. */
export function compareTable(spec: TableSpec, stored: Iterable<Record<string, unknown>>, expected: Map<string, Row>): ProjectionFinding[] {
  const findings: ProjectionFinding[] = [];
  const seen = new Set<string>();
  const keyColumns = spec.key.join(",");
  const keyTypes = spec.key.map((column) => spec.columns[column]);
  const columns = Object.entries(spec.columns);
  // Stored values are normalized column by column as they are compared, with no row built for each: the compare runs
  // after the log check, on one core, over every row (building rows was most of its time on 50,000 events).
  for (const raw of stored) {
    const key = storedKey(spec.key, keyTypes, raw);
    seen.add(key);
    const want = expected.get(key);
    if (!want) {
      findings.push({ table: spec.table, key, column: keyColumns, stored: key, expected: "(no row)" });
      continue;
    }
    for (const [column, type] of columns) {
      const e = want[column] ?? null;
      const s = normalizeValue(type, raw[column]);
      if (!sameValue(type, s, e)) findings.push({ table: spec.table, key, column, stored: s, expected: e });
    }
  }
  for (const key of expected.keys())
    if (!seen.has(key)) findings.push({ table: spec.table, key, column: keyColumns, stored: "(no row)", expected: key });
  return findings;
}

/** keyText of a stored row's normalized key columns, as the replay keys its rows. */
function storedKey(columns: string[], types: Array<ColumnType | undefined>, raw: Record<string, unknown>): string {
  const key: Row = {};
  for (let i = 0; i < columns.length; i++) {
    const column = columns[i]!;
    const type = types[i];
    key[column] = type === undefined ? null : normalizeValue(type, raw[column]);
  }
  return keyText(key);
}

/**
 * Equal as stored: a JSON column holds the same JSON value whatever its key order or spacing (rows written before the
 * folds, e.g. runsets.spec, kept their request's key order; every reader parses them).
 */
function sameValue(type: ColumnType, stored: ProjectionValue, expected: ProjectionValue): boolean {
  if (Object.is(stored, expected)) return true;
  if (type !== "json" || typeof stored !== "string" || typeof expected !== "string") return false;
  try {
    return canonicalJson(JSON.parse(stored)) === canonicalJson(JSON.parse(expected));
  } catch {
    return false;
  }
}
