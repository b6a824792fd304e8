// Marked hot-path statements run as server-side prepared statements on PostgreSQL; nothing else does, and the
// embedded store runs marked texts like any other.
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openStore, type Store } from "../../ledger/store/database.ts";
import { prepared } from "../../ledger/store/prepared.ts";
import { createTestStore, STORE_KINDS, type TestStoreConfig } from "../support/test-stores.ts";
import { itemAt } from "../../common/present.ts";

describe.each(STORE_KINDS)("prepared statements (%s)", (kind) => {
  let config: TestStoreConfig;
  let store: Store<any>;

  beforeAll(async () => {
    config = await createTestStore(kind);
    // One connection, so every query below meets the same server session and its prepared statements.
    store = await openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: 1 });
  });
  afterAll(async () => {
    await store?.close();
    await config?.cleanup();
  });

  it("answers a marked statement with its parameters, every time", async () => {
    for (const n of [1, 2, 3]) {
      const { rows } = await sql<{ twice: number }>`${prepared}select ${n}::int * 2 as twice`.execute(store.db);
      expect(rows).toEqual([{ twice: n * 2 }]);
    }
  });

  it.runIf(kind === "postgres")("prepares marked texts once per connection, and only those", async () => {
    await sql`${prepared}select ${1}::int as marked_probe`.execute(store.db);
    await sql`${prepared}select ${2}::int as marked_probe`.execute(store.db);
    await sql`select ${3}::int as unmarked_probe`.execute(store.db);
    const { rows } = await sql<{ name: string; statement: string }>`select name, statement from pg_prepared_statements`.execute(store.db);
    const probes = rows.filter((r) => r.statement.includes("_probe"));
    expect(probes).toHaveLength(1);
    const probe = itemAt(probes, 0, "probes");
    expect(probe.name).toMatch(/^maestro_[0-9a-f]{24}$/);
    expect(probe.statement).toContain("marked_probe");
  });

  it("reports a marked statement's SQL error like any other", async () => {
    await expect(sql`${prepared}select * from no_such_table_here`.execute(store.db)).rejects.toThrow(/no_such_table_here/);
  });
});
