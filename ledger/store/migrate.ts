// Runs kysely migrations from in-code records (no file scanning, so it works the same from any cwd).
import type { Kysely } from "kysely";
import { type Migration, Migrator } from "kysely/migration";
import { MaestroError } from "../../common/errors.ts";

export async function migrateToLatest(db: Kysely<any>, migrations: Record<string, Migration>): Promise<void> {
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === "Error")?.migrationName ?? "unknown";
    throw new MaestroError("internal", `database migration ${failed} failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}
