// The server's one database type: the ledger's tables and every feature's, as kysely checks each query against them.
import type { Kysely } from "kysely";
import type { LedgerTables } from "../../ledger/store/schema.ts";
import type { BreakglassTables } from "../exceptions/breakglass/index.ts";
import type { HoldTables } from "../exceptions/holds/index.ts";
import type { WaiverTables } from "../exceptions/waivers/index.ts";
import type { PolicyDataVersionTables } from "../mediator/call-state.ts";
import type { MediatorTables } from "../mediator/tables.ts";
import type { PolicyBundleTables } from "../policy/stored-bundles.ts";
import type { ReleaseTables } from "../releases/tables.ts";
import type { WebhookTables } from "../webhooks/index.ts";

/** Every table `allMigrations` creates (server/db/migrations.ts), each declared beside the feature that owns it. */
interface AppTables
  extends
    LedgerTables,
    MediatorTables,
    PolicyDataVersionTables,
    PolicyBundleTables,
    WaiverTables,
    HoldTables,
    BreakglassTables,
    ReleaseTables,
    WebhookTables {}

/**
 * The server's database: `Kysely<AppDb>`. A mapped type rather than the interface itself, because kysely's
 * $extendTables (how the ledger writer hands `apply` its transaction over these tables) takes only a type with an
 * implicit index signature, which an interface lacks.
 */
export type AppDb = { [Table in keyof AppTables]: AppTables[Table] };

/** The same database (the same connections) typed with the ledger's tables only: what ledger/ takes. */
export function ledgerTablesOf(db: Kysely<AppDb>): Kysely<LedgerTables> {
  return db.$pickTables<keyof LedgerTables>();
}
