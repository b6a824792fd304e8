// The break-glass projection beside the ledger: emergency overrides, their review, and the decisions made under them.
import { type Kysely, sql } from "kysely";
import type { Migration } from "kysely/migration";
import { eventTime } from "../../../ledger/store/event-time-sql.ts";

export interface BreakglassTable {
  id: string;
  state: "open" | "reviewed";
  version: number;
  opened_by: string;
  opened_at: Date;
  expires_at: Date;
  review_deadline: Date;
  counter_claim: string;
  compensating_controls: string;
  /** JSON {type, id?, capabilities?} */
  scope: string;
  reviewed_by: string | null;
  reviewed_at: Date | null;
  finding: string | null;
  verdict: string | null;
  use_count: number;
  ledger_refs: string;
}

export interface BreakglassUsesTable {
  breakglass_id: string;
  decision_id: string;
  used_at: Date;
}

export interface BreakglassTables {
  breakglass: BreakglassTable;
  breakglass_uses: BreakglassUsesTable;
}

export const breakglassMigrations: Record<string, Migration> = {
  "2003_breakglass": {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable("breakglass")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("state", "text", (c) => c.notNull())
        .addColumn("version", "integer", (c) => c.notNull())
        .addColumn("opened_by", "text", (c) => c.notNull())
        .addColumn("opened_at", "timestamptz", (c) => c.notNull())
        .addColumn("expires_at", "timestamptz", (c) => c.notNull())
        .addColumn("review_deadline", "timestamptz", (c) => c.notNull())
        .addColumn("counter_claim", "text", (c) => c.notNull())
        .addColumn("compensating_controls", "text", (c) => c.notNull())
        .addColumn("scope", "text", (c) => c.notNull())
        .addColumn("reviewed_by", "text")
        .addColumn("reviewed_at", "timestamptz")
        .addColumn("finding", "text")
        .addColumn("verdict", "text")
        .addColumn("use_count", "integer", (c) => c.notNull().defaultTo(0))
        .addColumn("ledger_refs", "text", (c) => c.notNull())
        .execute();
      await db.schema
        .createTable("breakglass_uses")
        .addColumn("breakglass_id", "text", (c) => c.notNull())
        .addColumn("decision_id", "text", (c) => c.notNull())
        .addColumn("used_at", "timestamptz", (c) => c.notNull())
        .addPrimaryKeyConstraint("breakglass_uses_pk", ["breakglass_id", "decision_id"])
        .execute();
    },
  },
  // Rows are now the folds of their events (ledger/projections), whose times are the events' signed `time`; before,
  // a review and a use were stamped with the service's clock a moment earlier.
  "2005_breakglass_times_from_events": {
    async up(db: Kysely<any>) {
      await sql`update breakglass b set reviewed_at = ${eventTime("e")} from ledger_entries e
        where b.state = 'reviewed' and e.kind = 'breakglass.reviewed' and e.subject = 'breakglass:' || b.id`.execute(db);
      await sql`update breakglass_uses u set used_at = ${eventTime("e")} from ledger_entries e
        where e.kind = 'decision' and e.subject = 'decision:' || u.decision_id`.execute(db);
    },
  },
};
