// Every migration the server runs, in name order: the ledger's first, then each feature's.
import type { Migration } from "kysely/migration";
import { ledgerMigrations } from "../../ledger/store/migrations.ts";
import { mediatorMigrations } from "../mediator/tables.ts";

export const allMigrations: Record<string, Migration> = {
  ...ledgerMigrations,
  ...mediatorMigrations,
};
