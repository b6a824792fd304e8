// Runs kysely migrations from in-code records (no file scanning, so it works the same from any cwd).
import type { Kysely } from "kysely";
import { type Migration, Migrator } from "kysely/migration";
import { MaestroError } from "../../common/errors.ts";

export async function migrateToLatest(db: Kysely<any>, migrations: Record<string, Migration>): Promise<void> {
  // Each feature numbers its own migrations (0xxx ledger, 2xxx exceptions, 3xxx mediator, …), so a new
  // migration of an earlier feature may sort before one already run: apply it rather than refuse.
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations }, allowUnorderedMigrations: true });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === "Error")?.migrationName ?? "unknown";
    throw new MaestroError("internal", `database migration ${failed} failed: ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
    });
  }
}
