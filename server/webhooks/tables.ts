// Webhook tables: the subscriptions (a projection of webhook.* ledger events), their secrets, and delivery state.
import { type Kysely, sql } from "kysely";
import type { Migration } from "kysely/migration";

/** One subscription, as its webhook.subscribed / webhook.removed events say. */
export interface WebhooksTable {
  id: string;
  state: "active" | "removed";
  version: number;
  url: string;
  /** JSON array of WebhookKind. */
  events: string;
  format: "standard" | "slack";
  /** "sha256:<hex>" of the signing secret: what the ledger holds instead of the secret. */
  secret_digest: string;
  created_by: string;
  created_at: Date;
  removed_by: string | null;
  removed_at: Date | null;
  ledger_refs: string;
}

/** The signing secret, kept out of the ledger and out of every answer after the first. */
export interface WebhookSecretsTable {
  webhook_id: string;
  secret: string;
}

/**
 * Where one subscription's delivery stands: the next ledger index to consider (the durable cursor), the retry state
 * of the entry at the cursor, and the lease that makes one process at a time deliver for it.
 */
export interface WebhookCursorsTable {
  webhook_id: string;
  next_index: number;
  attempts: number;
  first_failure_at: Date | null;
  next_attempt_at: Date | null;
  last_error: string | null;
  delivered: number;
  lease_owner: string | null;
  lease_until: Date | null;
}

/** Deliveries given up after the retry window, until someone redelivers them. */
export interface WebhookDeadLettersTable {
  id: string;
  webhook_id: string;
  ledger_index: number;
  kind: string;
  state: "dead" | "queued" | "redelivered";
  attempts: number;
  first_failure_at: Date;
  dead_at: Date;
  last_error: string;
  redelivered_at: Date | null;
}

export interface WebhookTables {
  webhooks: WebhooksTable;
  webhook_secrets: WebhookSecretsTable;
  webhook_cursors: WebhookCursorsTable;
  webhook_dead_letters: WebhookDeadLettersTable;
}

export const webhookMigrations: Record<string, Migration> = {
  "5101_webhooks": {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable("webhooks")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("state", "text", (c) => c.notNull())
        .addColumn("version", "integer", (c) => c.notNull())
        .addColumn("url", "text", (c) => c.notNull())
        .addColumn("events", "text", (c) => c.notNull())
        .addColumn("format", "text", (c) => c.notNull())
        .addColumn("secret_digest", "text", (c) => c.notNull())
        .addColumn("created_by", "text", (c) => c.notNull())
        .addColumn("created_at", "timestamptz", (c) => c.notNull())
        .addColumn("removed_by", "text")
        .addColumn("removed_at", "timestamptz")
        .addColumn("ledger_refs", "text", (c) => c.notNull())
        .execute();
      await db.schema
        .createTable("webhook_secrets")
        .addColumn("webhook_id", "text", (c) => c.primaryKey())
        .addColumn("secret", "text", (c) => c.notNull())
        .execute();
      await db.schema
        .createTable("webhook_cursors")
        .addColumn("webhook_id", "text", (c) => c.primaryKey())
        .addColumn("next_index", "bigint", (c) => c.notNull())
        .addColumn("attempts", "integer", (c) => c.notNull().defaultTo(0))
        .addColumn("first_failure_at", "timestamptz")
        .addColumn("next_attempt_at", "timestamptz")
        .addColumn("last_error", "text")
        .addColumn("delivered", "bigint", (c) => c.notNull().defaultTo(0))
        .addColumn("lease_owner", "text")
        .addColumn("lease_until", "timestamptz")
        .execute();
      await db.schema
        .createTable("webhook_dead_letters")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("webhook_id", "text", (c) => c.notNull())
        .addColumn("ledger_index", "bigint", (c) => c.notNull())
        .addColumn("kind", "text", (c) => c.notNull())
        .addColumn("state", "text", (c) => c.notNull())
        .addColumn("attempts", "integer", (c) => c.notNull())
        .addColumn("first_failure_at", "timestamptz", (c) => c.notNull())
        .addColumn("dead_at", "timestamptz", (c) => c.notNull())
        .addColumn("last_error", "text", (c) => c.notNull())
        .addColumn("redelivered_at", "timestamptz")
        .addUniqueConstraint("webhook_dead_letters_once", ["webhook_id", "ledger_index"])
        .execute();
      // release.blocked is found among decisions through this small partial index, not by reading every decision.
      await sql`create index webhook_release_decisions on mediations (ledger_index) where capability = 'release.publish' and decision <> 'allow'`.execute(
        db,
      );
    },
  },
};
