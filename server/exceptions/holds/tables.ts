// The hold projection beside the ledger: auditor holds that stop release.* decisions while active.
import type { Kysely } from "kysely";
import type { Migration } from "kysely/migration";

export interface HoldsTable {
  id: string;
  state: "active" | "cleared";
  version: number;
  scope_type: "release" | "repository" | "all";
  scope_id: string | null;
  reason: string;
  placed_by: string;
  placed_at: Date;
  cleared_by: string | null;
  cleared_at: Date | null;
  clear_reason: string | null;
  /** JSON [{kind, index}] of every ledger event about this hold. */
  ledger_refs: string;
}

export interface HoldTables {
  holds: HoldsTable;
}

export const holdMigrations: Record<string, Migration> = {
  "2002_holds": {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable("holds")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("state", "text", (c) => c.notNull())
        .addColumn("version", "integer", (c) => c.notNull())
        .addColumn("scope_type", "text", (c) => c.notNull())
        .addColumn("scope_id", "text")
        .addColumn("reason", "text", (c) => c.notNull())
        .addColumn("placed_by", "text", (c) => c.notNull())
        .addColumn("placed_at", "timestamptz", (c) => c.notNull())
        .addColumn("cleared_by", "text")
        .addColumn("cleared_at", "timestamptz")
        .addColumn("clear_reason", "text")
        .addColumn("ledger_refs", "text", (c) => c.notNull())
        .execute();
      await db.schema.createIndex("holds_state").on("holds").column("state").execute();
    },
  },
};
