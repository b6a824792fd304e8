// Fresh stores for tests: a temp-dir PGlite, and (when DATABASE_URL is set) a throwaway PostgreSQL database.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import pg from "pg";

export type TestStoreKind = "embedded" | "postgres";

export interface TestStoreConfig {
  kind: TestStoreKind;
  dataDir: string;
  databaseUrl?: string;
  cleanup(): Promise<void>;
}

/** The store kinds this run covers: always embedded; PostgreSQL when DATABASE_URL points at one. */
export const STORE_KINDS: TestStoreKind[] = process.env.DATABASE_URL ? ["embedded", "postgres"] : ["embedded"];

export async function createTestStore(kind: TestStoreKind): Promise<TestStoreConfig> {
  const dataDir = mkdtempSync(join(tmpdir(), "maestro-test-"));
  if (kind === "embedded") {
    return { kind, dataDir, cleanup: async () => rmSync(dataDir, { recursive: true, force: true }) };
  }
  const adminUrl = process.env.DATABASE_URL;
  if (!adminUrl) throw new Error("DATABASE_URL is not set");
  const name = `maestro_t_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    kind,
    dataDir,
    databaseUrl: url.toString(),
    cleanup: async () => {
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
