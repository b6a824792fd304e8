// The projection tables the folds own: key columns and column types, so stored rows compare with replayed ones.
//
// Every column a decision or an evidence read depends on is compared. A column left out must be on UNCHECKED_COLUMNS
// with its reason, and listed in docs/governance/ledger.md (the tamper suite checks both).

/** How a column is stored: `json` is text holding RFC 8785 JSON; `time` a timestamptz compared to the millisecond. */
export type ColumnType = "text" | "json" | "bigint" | "float" | "bool" | "time";

export interface TableSpec {
  table: string;
  key: string[];
  columns: Record<string, ColumnType>;
}

export const PROJECTION_TABLES: TableSpec[] = [
  {
    table: "mediations",
    key: ["decision_id"],
    columns: {
      decision_id: "text",
      ledger_index: "bigint",
      runset: "text",
      agent: "text",
      session: "text",
      tool: "text",
      capability: "text",
      resource: "text",
      decision: "text",
      policy_digest: "text",
      waiver_ids: "json",
      created_at: "time",
      decided_by: "text",
    },
  },
  {
    table: "outcomes",
    key: ["decision_id"],
    columns: {
      decision_id: "text",
      ledger_index: "bigint",
      status: "text",
      cost_usd: "float",
      created_at: "time",
      reported_by: "text",
      decision: "text",
    },
  },
  {
    table: "sessions",
    key: ["session"],
    columns: { session: "text", tainted: "bool", taint_sources: "json", secret_sources: "json", owner: "text" },
  },
  {
    table: "runsets",
    key: ["name"],
    columns: {
      name: "text",
      spec: "json",
      budget_cap_usd: "float",
      spent_usd: "float",
      registered_by: "text",
      ledger_index: "bigint",
    },
  },
  {
    table: "holds",
    key: ["id"],
    columns: {
      id: "text",
      state: "text",
      version: "bigint",
      scope_type: "text",
      scope_id: "text",
      reason: "text",
      placed_by: "text",
      placed_at: "time",
      cleared_by: "text",
      cleared_at: "time",
      clear_reason: "text",
      ledger_refs: "json",
    },
  },
];

/** Stored columns of the projection tables that replay does not compare, and why (none so far). */
export const UNCHECKED_COLUMNS: Array<{ table: string; column: string; reason: string }> = [];

export function tableSpec(table: string): TableSpec {
  const spec = PROJECTION_TABLES.find((t) => t.table === table);
  if (!spec) throw new Error(`no projection table ${table}`);
  return spec;
}

/** A stored value in the form the folds produce (drivers differ: node-pg gives bigints as strings, PGlite as numbers). */
export function normalizeValue(type: ColumnType, value: unknown): string | number | boolean | null {
  if (value === null || value === undefined) return null;
  switch (type) {
    case "bigint":
    case "float":
      return Number(value);
    case "bool":
      return value === true || value === "t" || value === "true";
    case "time": {
      const time = value instanceof Date ? value : new Date(String(value));
      return Number.isNaN(time.getTime()) ? String(value) : time.toISOString();
    }
    default:
      return String(value);
  }
}

/** A stored row as the folds would have written it: only the spec's columns, each normalized. */
export function normalizeRow(spec: TableSpec, stored: Record<string, unknown>): Record<string, string | number | boolean | null> {
  const row: Record<string, string | number | boolean | null> = {};
  for (const [column, type] of Object.entries(spec.columns)) row[column] = normalizeValue(type, stored[column]);
  return row;
}
