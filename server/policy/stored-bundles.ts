// Activated policy bundles, stored content-addressed (digest → bytes) by the fold of policy.activated, so a restart can
// run the one the ledger names.
import { type Generated, type Kysely, sql } from "kysely";
import type { Migration } from "kysely/migration";
import { bundleDigest } from "./bundle-load.ts";
import type { AppDb } from "../db/app-db.ts";

export interface PolicyBundlesTable {
  /** `sha256:<hex>` of `bytes`, the digest `policy.activated` ledgers. */
  digest: string;
  bytes: Uint8Array;
  created_at: Generated<Date>;
}

export interface PolicyBundleTables {
  policy_bundles: PolicyBundlesTable;
}

export const policyBundleMigrations: Record<string, Migration> = {
  "3005_policy_bundles": {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable("policy_bundles")
        .addColumn("digest", "text", (c) => c.primaryKey())
        .addColumn("bytes", "bytea", (c) => c.notNull())
        .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
        .execute();
    },
  },
};

/** The stored bytes for `digest`, or why they cannot be trusted: missing, or not hashing to the digest that names them. */
export async function loadStoredBundle(db: Kysely<AppDb>, digest: string): Promise<{ bytes: Uint8Array } | { problem: string }> {
  const row = await db.selectFrom("policy_bundles").select("bytes").where("digest", "=", digest).executeTakeFirst();
  if (!row) return { problem: `no stored bytes for bundle ${digest}` };
  const bytes = new Uint8Array(row.bytes);
  const actual = bundleDigest(bytes);
  if (actual !== digest) return { problem: `the stored bytes for bundle ${digest} hash to ${actual} (they were altered)` };
  return { bytes };
}
