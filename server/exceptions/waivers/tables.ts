// The waiver projection beside the ledger (the ledger stays the source of truth): waivers and their uses.
import { type Kysely, sql } from "kysely";
import type { Migration } from "kysely/migration";
import { eventTime } from "../../../ledger/store/event-time-sql.ts";

export type WaiverState = "pending" | "approved" | "active" | "revoked" | "expired";

export interface WaiversTable {
  id: string;
  /** "approved" is the instant between the final approval and its activation event. */
  state: WaiverState;
  /** Bumped by every transition; a transition applies only to the version it was decided on. */
  version: number;
  capability: string;
  resource: string;
  agents: string | null;
  runsets: string | null;
  waives: string;
  /** JSON string[] of secret-finding fingerprints a secret_detected waiver is limited to; null: every finding. */
  fingerprints: string | null;
  justification: string;
  ticket: string | null;
  duration_seconds: number;
  approvals_required: number;
  /** JSON [{by, at, ledgerIndex}] */
  approvals: string;
  requested_by: string;
  requested_at: Date;
  activated_at: Date | null;
  expires_at: Date | null;
  ended_by: string | null;
  ended_at: Date | null;
  end_reason: string | null;
  use_count: number;
  last_used_at: Date | null;
  /** JSON [{kind, index}] of every ledger event about this waiver. */
  ledger_refs: string;
}

export interface WaiverUsesTable {
  waiver_id: string;
  decision_id: string;
  used_at: Date;
}

export interface WaiverTables {
  waivers: WaiversTable;
  waiver_uses: WaiverUsesTable;
}

export const waiverMigrations: Record<string, Migration> = {
  "2001_waivers": {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable("waivers")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("state", "text", (c) => c.notNull())
        .addColumn("version", "integer", (c) => c.notNull())
        .addColumn("capability", "text", (c) => c.notNull())
        .addColumn("resource", "text", (c) => c.notNull())
        .addColumn("agents", "text")
        .addColumn("runsets", "text")
        .addColumn("waives", "text", (c) => c.notNull())
        .addColumn("justification", "text", (c) => c.notNull())
        .addColumn("ticket", "text")
        .addColumn("duration_seconds", "integer", (c) => c.notNull())
        .addColumn("approvals_required", "integer", (c) => c.notNull())
        .addColumn("approvals", "text", (c) => c.notNull())
        .addColumn("requested_by", "text", (c) => c.notNull())
        .addColumn("requested_at", "timestamptz", (c) => c.notNull())
        .addColumn("activated_at", "timestamptz")
        .addColumn("expires_at", "timestamptz")
        .addColumn("ended_by", "text")
        .addColumn("ended_at", "timestamptz")
        .addColumn("end_reason", "text")
        .addColumn("use_count", "integer", (c) => c.notNull().defaultTo(0))
        .addColumn("last_used_at", "timestamptz")
        .addColumn("ledger_refs", "text", (c) => c.notNull())
        .execute();
      await db.schema.createIndex("waivers_state_capability").on("waivers").columns(["state", "capability"]).execute();
      await db.schema
        .createTable("waiver_uses")
        .addColumn("waiver_id", "text", (c) => c.notNull())
        .addColumn("decision_id", "text", (c) => c.notNull())
        .addColumn("used_at", "timestamptz", (c) => c.notNull())
        .addPrimaryKeyConstraint("waiver_uses_pk", ["waiver_id", "decision_id"])
        .execute();
    },
  },
  "2002_waiver_fingerprints": {
    async up(db: Kysely<any>) {
      await db.schema.alterTable("waivers").addColumn("fingerprints", "text").execute();
    },
  },
  // Rows are now the folds of their events (ledger/projections), whose times are the events' signed `time`; before,
  // a revocation and a use were stamped with the service's clock a moment earlier.
  "2004_waiver_times_from_events": {
    async up(db: Kysely<any>) {
      await sql`update waivers w set ended_at = ${eventTime("e")} from ledger_entries e
        where w.state = 'revoked' and e.kind = 'waiver.revoked' and e.subject = 'waiver:' || w.id`.execute(db);
      await sql`update waiver_uses u set used_at = ${eventTime("e")} from ledger_entries e
        where e.kind = 'decision' and e.subject = 'decision:' || u.decision_id`.execute(db);
      await sql`update waivers w set last_used_at = (select ${eventTime("e")} from waiver_uses u join ledger_entries e
          on e.kind = 'decision' and e.subject = 'decision:' || u.decision_id where u.waiver_id = w.id order by e.idx desc limit 1)
        where w.last_used_at is not null`.execute(db);
    },
  },
};
