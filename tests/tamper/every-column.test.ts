// Every stored column of every table, one value changed at a time on a fresh copy of a populated store: `maestro ledger
// verify` must name the table and the column, or the column must be on the documented list (docs/governance/ledger.md).
// Projection columns are changed many to a copy (replay compares each row column by column, so the findings stay
// apart); a ledger column is changed on a copy of its own (verify reports the first problem it meets).
import { readFileSync } from "node:fs";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { PROJECTION_TABLES, UNCHECKED_COLUMNS } from "../../ledger/projections/table-specs.ts";
import { STORE_KINDS, type TestStoreConfig } from "../support/test-stores.ts";
import { populatedStore } from "./scenario.ts";
import { onFreshCopy, storedColumns, tamperOneValue, verifyJson, withStoreDb } from "./tamper-harness.ts";
import { itemAt } from "../../common/present.ts";

// A server start, then a store copy and a full verify per round or case: slow on a loaded 2-core machine.
vi.setConfig({ testTimeout: 600_000, hookTimeout: 300_000 });

const DOCS = readFileSync(new URL("../../docs/governance/ledger.md", import.meta.url), "utf8");

/** Tables nothing derives from the ledger, each listed in the docs with the reason (no column of theirs is checked). */
const UNCHECKED_TABLES = ["webhook_cursors", "webhook_dead_letters", "ledger_witness_status", "kysely_migration", "kysely_migration_lock"];

/** Columns of the ledger's own tables verify does not recompute, each listed in the docs with the reason. */
const LEDGER_UNCHECKED = [
  "ledger_entries.created_at",
  "ledger_checkpoints.created_at",
  "ledger_cosignatures.created_at",
  "signing_keys.created_at",
  "ledger_checkpoints.id",
  "signing_keys.retired_at",
  "ledger_head.id",
];

/** The ledger tables' columns verify checks, and what its report names for each (a `part`, or a stored row's column). */
const LEDGER_CHECKED: Record<string, string> = {
  "ledger_entries.idx": "part:order",
  "ledger_entries.event_id": "row:ledger_entries.event_id",
  "ledger_entries.kind": "row:ledger_entries.kind",
  "ledger_entries.subject": "row:ledger_entries.subject",
  "ledger_entries.leaf_hash": "part:leaf_hash",
  "ledger_entries.canonical": "part:canonical",
  "ledger_entries.signature": "part:signature",
  "ledger_nodes.level": "part:node",
  "ledger_nodes.idx": "part:node",
  "ledger_nodes.hash": "part:node",
  "ledger_head.size": "part:head",
  "ledger_head.root": "part:head",
  "ledger_checkpoints.size": "row:ledger_checkpoints.size",
  "ledger_checkpoints.root": "row:ledger_checkpoints.root",
  "ledger_checkpoints.note": "part:checkpoint",
  "ledger_cosignatures.checkpoint_id": "row:ledger_cosignatures.checkpoint_id",
  "ledger_cosignatures.witness": "row:ledger_cosignatures.witness",
  "ledger_cosignatures.line": "row:ledger_cosignatures.line",
  "ledger_cosignatures.signed_at": "row:ledger_cosignatures.signed_at",
  "signing_keys.kid": "row:signing_keys.kid",
  "signing_keys.purpose": "row:signing_keys.purpose",
  "signing_keys.public_jwk": "row:signing_keys.public_jwk",
  "signing_keys.vkey": "row:signing_keys.vkey",
};

const documented = (table: string, column?: string) =>
  DOCS.includes(`\`${table}\``) || (column !== undefined && (DOCS.includes(`\`${table}.${column}\``) || DOCS.includes(`\`${table}.*\``)));

/** What a verify report names: `part:…` for an entry, checkpoint, head or node problem, `row:table.column` for a row. */
function namedBy(json: any): string[] {
  const names: string[] = [];
  if (json.row) names.push(`row:${json.row.table}.${json.row.column}`);
  else if (json.ok === false && json.part) names.push(`part:${json.part}`);
  for (const f of json.projections?.findings ?? []) for (const column of String(f.column).split(",")) names.push(`${f.table}.${column}`);
  return names;
}

describe.each(STORE_KINDS)("ledger verify names every changed stored value (%s store)", (kind) => {
  let base: TestStoreConfig;
  let tables: Map<string, string[]>;
  beforeAll(async () => {
    base = await populatedStore(kind);
    tables = await withStoreDb(base, async (db) => {
      const { rows } = await sql<{ table_name: string }>`select table_name from information_schema.tables
        where table_schema = current_schema() and table_type = 'BASE TABLE' order by table_name`.execute(db);
      const out = new Map<string, string[]>();
      for (const { table_name } of rows)
        out.set(
          table_name,
          (await storedColumns(db, table_name)).map((c) => c.column),
        );
      return out;
    });
  });
  afterAll(async () => base?.cleanup());

  it("passes the untouched store, having compared every projection table", async () => {
    const run = await verifyJson(base);
    expect(run.json.projections).toMatchObject({ tables: PROJECTION_TABLES.map((t) => t.table), findings: [], refused: [] });
    expect(run.code).toBe(0);
  });

  it("knows every table and column the store has: compared, checked by the log verifier, or documented", () => {
    const unknown: string[] = [];
    for (const [table, columns] of tables) {
      const spec = PROJECTION_TABLES.find((t) => t.table === table);
      for (const column of columns) {
        const name = `${table}.${column}`;
        const unchecked =
          UNCHECKED_TABLES.includes(table) ||
          LEDGER_UNCHECKED.includes(name) ||
          UNCHECKED_COLUMNS.some((u) => u.table === table && u.column === column);
        if (unchecked ? !documented(table, column) : !(spec && column in spec.columns) && !(name in LEDGER_CHECKED)) unknown.push(name);
      }
    }
    expect(unknown).toEqual([]);
    for (const spec of PROJECTION_TABLES)
      expect(tables.get(spec.table), spec.table).toEqual(expect.arrayContaining(Object.keys(spec.columns)));
  });

  // Replay compares each stored row column by column, so every non-key column of every projection table can change in
  // one copy and each is named on its own; a changed key makes its row one the ledger does not explain (named by the
  // key), hiding the row's other columns, so key columns go in rounds of their own, one per table.
  const projectionRounds: Array<[string, Array<{ table: string; column: string }>]> = [
    [
      "every non-key column",
      PROJECTION_TABLES.flatMap((t) =>
        Object.keys(t.columns)
          .filter((c) => !t.key.includes(c))
          .map((column) => ({ table: t.table, column })),
      ),
    ],
    ...[0, 1].map((k): [string, Array<{ table: string; column: string }>] => [
      `key column ${k + 1}`,
      PROJECTION_TABLES.filter((t) => t.key.length > k).map((t) => ({ table: t.table, column: itemAt(t.key, k, `${t.table}'s key`) })),
    ]),
  ];
  it.each(projectionRounds)("projection tables, %s, changed on one copy", async (_round, cases) => {
    await onFreshCopy(base, async (copy) => {
      await withStoreDb(copy, async (db) => {
        for (const c of cases) {
          const { before, after } = await tamperOneValue(db, c.table, c.column);
          expect(after, `${c.table}.${c.column}`).not.toBe(before);
        }
      });
      const run = await verifyJson(copy);
      expect(run.code).toBe(1);
      const named = namedBy(run.json);
      expect(cases.map((c) => `${c.table}.${c.column}`).filter((name) => !named.includes(name))).toEqual([]);
    });
  });

  it.each(Object.entries(LEDGER_CHECKED))("%s", async (name, expected) => {
    const [table, column] = name.split(".");
    if (table === undefined || column === undefined) throw new Error(`${name} does not name table.column`);
    await onFreshCopy(base, async (copy) => {
      const { before, after } = await withStoreDb(copy, (db) => tamperOneValue(db, table, column));
      expect(after).not.toBe(before);
      const run = await verifyJson(copy);
      expect(run.code).toBe(1);
      expect(namedBy(run.json)).toContain(expected);
    });
  });
});
