// Every stored column of every projection table, one value changed on a fresh copy of a populated store: `maestro
// ledger verify` must name the table and the column, or the column must be on the documented unchecked list.
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { PROJECTION_TABLES, UNCHECKED_COLUMNS } from "../../ledger/projections/table-specs.ts";
import { STORE_KINDS, type TestStoreConfig } from "../support/test-stores.ts";
import { onFreshCopy, storedColumns, tamperOneValue, verifyJson, withStoreDb } from "./tamper-harness.ts";
import { populatedStore } from "./scenario.ts";

// A server start, then a store copy and a full verify per case: slow on a loaded 2-core machine.
vi.setConfig({ testTimeout: 300_000, hookTimeout: 300_000 });

const cases = PROJECTION_TABLES.flatMap((spec) =>
  Object.keys(spec.columns).map((column) => [`${spec.table}.${column}`, { table: spec.table, column, key: spec.key }] as const),
);

describe.each(STORE_KINDS)("ledger verify catches a changed projection value (%s store)", (kind) => {
  let base: TestStoreConfig;
  beforeAll(async () => {
    base = await populatedStore(kind);
  });
  afterAll(async () => base?.cleanup());

  it("passes the untouched store, having compared every projection table", async () => {
    const run = await verifyJson(base);
    expect(run.json.projections).toMatchObject({ tables: PROJECTION_TABLES.map((t) => t.table), findings: [], refused: [] });
    expect(run.code).toBe(0);
  });

  it("compares every column each projection table stores, or documents why not", async () => {
    const docs = readFileSync(new URL("../../docs/governance/ledger.md", import.meta.url), "utf8");
    for (const u of UNCHECKED_COLUMNS) expect(docs, `${u.table}.${u.column} documented`).toContain(`\`${u.table}.${u.column}\``);
    await withStoreDb(base, async (db) => {
      for (const spec of PROJECTION_TABLES) {
        const unchecked = UNCHECKED_COLUMNS.filter((u) => u.table === spec.table).map((u) => u.column);
        const stored = (await storedColumns(db, spec.table)).map((c) => c.column);
        expect(
          stored.filter((c) => !(c in spec.columns) && !unchecked.includes(c)),
          spec.table,
        ).toEqual([]);
      }
    });
  });

  it.each(cases)("%s", async (_name, { table, column, key }) => {
    await onFreshCopy(base, async (copy) => {
      const { before, after } = await withStoreDb(copy, (db) => tamperOneValue(db, table, column));
      expect(after).not.toBe(before);
      const run = await verifyJson(copy);
      expect(run.code).toBe(1);
      expect(run.json.ok).toBe(false);
      // A changed key leaves a row the ledger does not have: named by its key column(s).
      const named = key.includes(column) ? key.join(",") : column;
      expect(run.json.projections.findings).toContainEqual(expect.objectContaining({ table, column: named }));
    });
  });
});
