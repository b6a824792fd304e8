// Every migration the server runs, in name order: the ledger's first, then each feature's.
import type { Migration } from "kysely/migration";
import { ledgerMigrations } from "../../ledger/store/migrations.ts";
import { mediatorMigrations } from "../mediator/tables.ts";
import { policyDataVersionMigrations } from "../mediator/call-state.ts";
import { policyBundleMigrations } from "../policy/stored-bundles.ts";
import { waiverMigrations } from "../exceptions/waivers/index.ts";
import { holdMigrations } from "../exceptions/holds/index.ts";
import { breakglassMigrations } from "../exceptions/breakglass/index.ts";
import { releaseMigrations } from "../releases/tables.ts";
import { webhookMigrations } from "../webhooks/index.ts";

export const allMigrations: Record<string, Migration> = {
  ...ledgerMigrations,
  ...mediatorMigrations,
  ...policyDataVersionMigrations,
  ...policyBundleMigrations,
  ...waiverMigrations,
  ...holdMigrations,
  ...breakglassMigrations,
  ...releaseMigrations,
  ...webhookMigrations,
};
