// Migration 3004 on a store written before it: decisions and outcomes get their tokens from their own ledgered actor,
// an outcome another token reported stays on record, and from then on the database refuses a new one like it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "kysely";
import { allMigrations } from "../../server/db/migrations.ts";
import { migrateToLatest } from "../../ledger/store/migrate.ts";
import { loadKeyring } from "../../ledger/keys/keyring.ts";
import { type Ledger, openLedger } from "../../ledger/open-ledger.ts";
import { openStore, type Store } from "../../ledger/store/database.ts";
import { ORIGIN } from "../ledger/ledger-fixture.ts";
import { createTestStore, STORE_KINDS, type TestStoreConfig } from "../support/test-stores.ts";
import { present } from "../../common/present.ts";

const MIGRATION = "3004_outcomes_by_the_deciding_token";
// 3008 (session owners) reads the decided_by column 3004 adds: it runs with 3004 here, as on any store it reaches.
const { [MIGRATION]: tokenMigration, "3008_session_owners": sessionOwners, ...before } = allMigrations;

describe.each(STORE_KINDS)("outcome token migration on %s store", (kind) => {
  let cfg: TestStoreConfig;
  let t: { store: Store<any>; db: Store<any>["db"]; ledger: Ledger };
  const decisionId = crypto.randomUUID();

  beforeAll(async () => {
    cfg = await createTestStore(kind);
    const store = await openStore<any>({ dataDir: cfg.dataDir, databaseUrl: cfg.databaseUrl });
    await migrateToLatest(store.db, before);
    t = { store, db: store.db, ledger: await openLedger(store.db, await loadKeyring(cfg.dataDir), { origin: ORIGIN }) };
    const { writer } = t.ledger;
    // As the server wrote them before 3004: no decided_by, no reported_by; the outcome by another token. The rows go in
    // by hand beside their events (today's folds write the columns 3004 adds), under kinds no fold owns.
    const decided = await writer.append({
      kind: "test.decision",
      actor: { type: "agent", id: "coder" },
      subject: { type: "decision", id: decisionId },
      payload: { decision: "allow" },
    });
    await sql`insert into mediations (decision_id, ledger_index, runset, agent, session, tool, capability, resource, decision, policy_digest, waiver_ids, created_at)
      values (${decisionId}, ${decided.index}, 'rs', 'coder', 's', 't', 'repo.read', 'r', 'allow', 'd', '[]', now())`.execute(t.db);
    const reported = await writer.append({
      kind: "test.outcome",
      actor: { type: "agent", id: "intruder" },
      subject: { type: "decision", id: decisionId },
      payload: { status: "ok" },
    });
    await sql`insert into outcomes (decision_id, ledger_index, status, cost_usd, created_at) values (${decisionId}, ${reported.index}, 'ok', 0, now())`.execute(
      t.db,
    );
    await migrateToLatest(t.db, {
      ...before,
      [MIGRATION]: present(tokenMigration, `migration ${MIGRATION}`),
      "3008_session_owners": present(sessionOwners, "migration 3008_session_owners"),
    });
  });
  afterAll(async () => {
    await t?.store.close();
    await cfg?.cleanup();
  });

  it("fills decided_by and reported_by from each row's ledgered actor, keeping the old outcome", async () => {
    const mediation = await sql<{ decided_by: string }>`select decided_by from mediations where decision_id = ${decisionId}`.execute(t.db);
    expect(mediation.rows).toEqual([{ decided_by: "coder" }]);
    const outcome = await sql<{ reported_by: string }>`select reported_by from outcomes where decision_id = ${decisionId}`.execute(t.db);
    expect(outcome.rows).toEqual([{ reported_by: "intruder" }]);
  });

  it("refuses, from then on, an outcome row whose token is not the decision's", async () => {
    const other = crypto.randomUUID();
    await sql`insert into mediations (decision_id, ledger_index, runset, agent, session, tool, capability, resource, decision, policy_digest, waiver_ids, created_at, decided_by)
      values (${other}, 0, 'rs', 'coder', 's', 't', 'repo.read', 'r', 'allow', 'd', '[]', now(), 'coder')`.execute(t.db);
    const insertOutcome = (by: string) =>
      sql`insert into outcomes (decision_id, ledger_index, status, cost_usd, created_at, reported_by) values (${other}, 0, 'ok', 0, now(), ${by})`.execute(
        t.db,
      );
    await expect(insertOutcome("intruder")).rejects.toMatchObject({ code: "23503" });
    await expect(insertOutcome("coder")).resolves.toBeDefined();
  });
});
