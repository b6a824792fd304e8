// The projection tables the folds own: key columns and column types, so stored rows compare with replayed ones.
//
// Every column a decision or an evidence read depends on is compared. A column left out must be on UNCHECKED_COLUMNS
// with its reason, and listed in docs/governance/ledger.md (the tamper suite checks both).

import { type AttachedType, ATTACHED_TYPES, attachedDigest } from "./attached.ts";

/**
 * How a column is stored: `json` is text holding JSON (compared as JSON: key order and spacing do not count); `time` a
 * timestamptz compared to the millisecond; an attached type (attached.ts) holds a value the ledger names by digest.
 */
export type ColumnType = "text" | "json" | "bigint" | "float" | "bool" | "time" | AttachedType;

export function isAttached(type: ColumnType | undefined): type is AttachedType {
  return type !== undefined && ATTACHED_TYPES.includes(type);
}

export interface TableSpec {
  table: string;
  key: string[];
  columns: Record<string, ColumnType>;
  /** Rows the table's migration creates, before any event. */
  initial?: Array<Record<string, string | number | boolean | null>>;
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
  {
    table: "waivers",
    key: ["id"],
    columns: {
      id: "text",
      state: "text",
      version: "bigint",
      capability: "text",
      resource: "text",
      agents: "json",
      runsets: "json",
      waives: "json",
      fingerprints: "json",
      justification: "text",
      ticket: "text",
      duration_seconds: "bigint",
      approvals_required: "bigint",
      approvals: "json",
      requested_by: "text",
      requested_at: "time",
      activated_at: "time",
      expires_at: "time",
      ended_by: "text",
      ended_at: "time",
      end_reason: "text",
      use_count: "bigint",
      last_used_at: "time",
      ledger_refs: "json",
    },
  },
  {
    table: "waiver_uses",
    key: ["waiver_id", "decision_id"],
    columns: { waiver_id: "text", decision_id: "text", used_at: "time" },
  },
  {
    table: "breakglass",
    key: ["id"],
    columns: {
      id: "text",
      state: "text",
      version: "bigint",
      opened_by: "text",
      opened_at: "time",
      expires_at: "time",
      review_deadline: "time",
      counter_claim: "text",
      compensating_controls: "json",
      scope: "json",
      reviewed_by: "text",
      reviewed_at: "time",
      finding: "text",
      verdict: "text",
      use_count: "bigint",
      ledger_refs: "json",
    },
  },
  {
    table: "breakglass_uses",
    key: ["breakglass_id", "decision_id"],
    columns: { breakglass_id: "text", decision_id: "text", used_at: "time" },
  },
  {
    table: "releases",
    key: ["id"],
    columns: {
      id: "text",
      repository: "text",
      version: "text",
      artifacts: "json",
      runsets: "json",
      sessions: "json",
      state: "text",
      created_by: "text",
      created_at: "time",
      created_index: "bigint",
      sbom: "json-digest",
      sbom_ref: "json",
      published: "json",
      published_at: "time",
      published_by: "text",
      published_index: "bigint",
      bundle: "dsse-digest",
    },
  },
  {
    table: "webhooks",
    key: ["id"],
    columns: {
      id: "text",
      state: "text",
      version: "bigint",
      url: "text-digest",
      events: "json",
      format: "text",
      secret_digest: "text",
      created_by: "text",
      created_at: "time",
      removed_by: "text",
      removed_at: "time",
      ledger_refs: "json",
    },
  },
  {
    table: "webhook_secrets",
    key: ["webhook_id"],
    columns: { webhook_id: "text", secret: "text-digest" },
  },
  {
    table: "policy_data_version",
    key: ["id"],
    columns: { id: "bigint", version: "bigint" },
    initial: [{ id: 1, version: 0 }],
  },
  {
    table: "policy_bundles",
    key: ["digest"],
    columns: { digest: "text", bytes: "bytes-digest" },
  },
];

/** Stored columns of the projection tables that replay does not compare, and why (docs/governance/ledger.md lists them). */
export const UNCHECKED_COLUMNS: Array<{ table: string; column: string; reason: string }> = [
  {
    table: "policy_bundles",
    column: "created_at",
    reason: "an insert time for operators; who activated the bundle and when is the policy.activated event's actor and time",
  },
];

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
    case "text":
    case "json":
      return String(value);
    default:
      return attachedDigest(type, value);
  }
}

/** A stored row as the folds would have written it: only the spec's columns, each normalized. */
export function normalizeRow(spec: TableSpec, stored: Record<string, unknown>): Record<string, string | number | boolean | null> {
  const row: Record<string, string | number | boolean | null> = {};
  for (const [column, type] of Object.entries(spec.columns)) row[column] = normalizeValue(type, stored[column]);
  return row;
}
