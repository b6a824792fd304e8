// A ledger opened under another origin than its checkpoints name is refused before anything is published or signed.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadKeyring } from "../../ledger/keys/keyring.ts";
import { openLedger } from "../../ledger/open-ledger.ts";
import { createTestStore, STORE_KINDS, type TestStoreConfig } from "../support/test-stores.ts";
import { ORIGIN, openTestLedger, runCli, testEvent, withDb } from "./ledger-fixture.ts";

describe.each(STORE_KINDS)("log origin guard on %s store", (kind) => {
  let cfg: TestStoreConfig;

  beforeAll(async () => {
    cfg = await createTestStore(kind);
    const t = await openTestLedger(cfg);
    await t.ledger.writer.append(testEvent(0));
    await t.ledger.checkpointer.issue();
    await t.close();
  });
  afterAll(() => cfg.cleanup());

  it("refuses another origin, naming the one the log has, and publishes no key for it", async () => {
    await withDb(cfg, async (db) => {
      const keys = () => db.selectFrom("signing_keys").select("vkey").where("purpose", "=", "checkpoint").execute();
      const before = await keys();
      await expect(openLedger(db, await loadKeyring(cfg.dataDir), { origin: "example.com/other" })).rejects.toMatchObject({
        code: "conflict",
        message: expect.stringContaining(`"${ORIGIN}"`),
      });
      expect(await keys()).toEqual(before);
      await expect(openLedger(db, await loadKeyring(cfg.dataDir), { origin: ORIGIN })).resolves.toBeDefined();
    });
  });

  it("`maestro ledger checkpoint` under another origin exits non-zero and the log still verifies", async () => {
    const wrong = await runCli(["ledger", "checkpoint", "--force"], cfg, { MAESTRO_LOG_ORIGIN: "example.com/other" });
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toContain(ORIGIN);
    expect((await runCli(["ledger", "verify"], cfg)).code).toBe(0);
  });
});
