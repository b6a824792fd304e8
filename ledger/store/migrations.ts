// The ledger's schema migrations (kysely Migrator); server modules append theirs with later names.
import { type Kysely, sql } from "kysely";
import type { Migration } from "kysely/migration";

export const ledgerMigrations: Record<string, Migration> = {
  "0001_ledger": {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable("ledger_entries")
        .addColumn("idx", "bigint", (c) => c.primaryKey())
        .addColumn("event_id", "text", (c) => c.notNull().unique())
        .addColumn("kind", "text", (c) => c.notNull())
        .addColumn("subject", "text")
        .addColumn("leaf_hash", "bytea", (c) => c.notNull())
        .addColumn("canonical", "bytea", (c) => c.notNull())
        .addColumn("signature", "text", (c) => c.notNull())
        .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
        .execute();
      await db.schema.createIndex("ledger_entries_kind_subject").on("ledger_entries").columns(["kind", "subject"]).execute();
      await db.schema.createIndex("ledger_entries_subject").on("ledger_entries").column("subject").execute();
      await db.schema
        .createTable("ledger_nodes")
        .addColumn("level", "smallint", (c) => c.notNull())
        .addColumn("idx", "bigint", (c) => c.notNull())
        .addColumn("hash", "bytea", (c) => c.notNull())
        .addPrimaryKeyConstraint("ledger_nodes_pk", ["level", "idx"])
        .execute();
      await db.schema
        .createTable("ledger_head")
        .addColumn("id", "integer", (c) => c.primaryKey().check(sql`id = 1`))
        .addColumn("size", "bigint", (c) => c.notNull())
        .addColumn("root", "bytea", (c) => c.notNull())
        .execute();
      // SHA-256 of the empty string: the RFC 6962 root of the empty tree.
      await sql`insert into ledger_head (id, size, root) values (1, 0, decode('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855', 'hex'))`.execute(
        db,
      );
      await db.schema
        .createTable("ledger_checkpoints")
        .addColumn("id", "bigserial", (c) => c.primaryKey())
        .addColumn("size", "bigint", (c) => c.notNull())
        .addColumn("root", "bytea", (c) => c.notNull())
        .addColumn("note", "text", (c) => c.notNull())
        .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
        .execute();
      await db.schema.createIndex("ledger_checkpoints_size").on("ledger_checkpoints").column("size").execute();
      await db.schema
        .createTable("signing_keys")
        .addColumn("kid", "text", (c) => c.primaryKey())
        .addColumn("purpose", "text", (c) => c.notNull())
        .addColumn("public_jwk", "text", (c) => c.notNull())
        .addColumn("vkey", "text")
        .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
        .addColumn("retired_at", "timestamptz")
        .execute();
    },
  },
  "0002_drop_kind_subject_index": {
    async up(db: Kysely<any>) {
      // Every read by subject (with or without a kind) is served by ledger_entries_subject, and nothing reads by kind
      // alone: the (kind, subject) index was one more B-tree insert per appended event, for no query.
      await sql`drop index if exists ledger_entries_kind_subject`.execute(db);
    },
  },
  "0003_witness_cosignatures": {
    async up(db: Kysely<any>) {
      // One verified C2SP cosignature line per (checkpoint, witness); the note served is the log's note plus these lines.
      await db.schema
        .createTable("ledger_cosignatures")
        .addColumn("checkpoint_id", "bigint", (c) => c.notNull())
        .addColumn("witness", "text", (c) => c.notNull())
        .addColumn("line", "text", (c) => c.notNull())
        .addColumn("signed_at", "bigint", (c) => c.notNull())
        .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
        .addPrimaryKeyConstraint("ledger_cosignatures_pk", ["checkpoint_id", "witness"])
        .execute();
      // What each witness last said: the size it cosigned, or why it did not (fork, unreachable, bad cosignature).
      await db.schema
        .createTable("ledger_witness_status")
        .addColumn("witness", "text", (c) => c.primaryKey())
        .addColumn("cosigned_size", "bigint")
        .addColumn("cosigned_at", "timestamptz")
        .addColumn("error_code", "text")
        .addColumn("error", "text")
        .addColumn("error_at", "timestamptz")
        .execute();
    },
  },
};
