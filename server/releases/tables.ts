// The releases projection (the ledger's release.* events stay the source of truth) and its migration.
import { type Kysely, sql } from "kysely";
import type { Migration } from "kysely/migration";

export interface ReleasesTable {
  id: string;
  repository: string;
  version: string;
  /** JSON text of Artifact[] / string[] (portable across PGlite and PostgreSQL). */
  artifacts: string;
  runsets: string;
  sessions: string;
  state: "draft" | "published";
  created_by: string;
  created_at: Date;
  created_index: number;
  sbom: string | null;
  sbom_ref: string | null;
  /** The release.published event's payload (JSON), once published. */
  published: string | null;
  published_at: Date | null;
  published_by: string | null;
  published_index: number | null;
  /** The signed safety case: Sigstore bundle v0.3 JSON. */
  bundle: string | null;
}

export interface ReleaseTables {
  releases: ReleasesTable;
}

export const releaseMigrations: Record<string, Migration> = {
  "4001_releases": {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable("releases")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("repository", "text", (c) => c.notNull())
        .addColumn("version", "text", (c) => c.notNull())
        .addColumn("artifacts", "text", (c) => c.notNull())
        .addColumn("runsets", "text", (c) => c.notNull())
        .addColumn("sessions", "text", (c) => c.notNull())
        .addColumn("state", "text", (c) => c.notNull().check(sql`state in ('draft', 'published')`))
        .addColumn("created_by", "text", (c) => c.notNull())
        .addColumn("created_at", "timestamptz", (c) => c.notNull())
        .addColumn("created_index", "bigint", (c) => c.notNull().unique())
        .addColumn("sbom", "text")
        .addColumn("sbom_ref", "text")
        .addColumn("published", "text")
        .addColumn("published_at", "timestamptz")
        .addColumn("published_by", "text")
        .addColumn("published_index", "bigint")
        .addColumn("bundle", "text")
        .addUniqueConstraint("releases_repository_version", ["repository", "version"])
        .execute();
    },
  },
};
