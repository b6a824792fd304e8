// The ledger CLI given bad input: a refusal is one stderr line, a typo exits 2 (not 1, "tampered"), and nothing is written.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { openStore } from "../../ledger/store/database.ts";
import { createTestStore, type TestStoreConfig } from "../support/test-stores.ts";
import { type CliRun, openTestLedger, runCli, testEvent } from "./ledger-fixture.ts";
import { itemAt } from "../../common/present.ts";

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

/** One line on stderr starting "maestro: ", nothing on stdout: what a script can rely on. */
function expectOneLine(run: CliRun, code: number, pattern: RegExp): void {
  expect(run.code, run.stderr).toBe(code);
  expect(run.stdout).toBe("");
  expect(run.stderr).toMatch(/^maestro: [^\n]+\n$/);
  expect(run.stderr).toMatch(pattern);
}

const READERS = [
  ["ledger", "verify"],
  ["ledger", "proof", "--index", "0", "-o", "p.tlog-proof"],
  ["ledger", "checkpoint"],
  ["evidence", "export", "r1", "-o", "e.json"],
];

describe("maestro ledger/evidence with no store where --data-dir points", () => {
  const tmp = mkdtempSync(join(tmpdir(), "maestro-refuse-"));

  it.each(READERS)("%s %s refuses a mistyped --data-dir and creates nothing", async (...args) => {
    const typo = join(tmp, "typo");
    expectOneLine(await runCli([...args, "--data-dir", typo], undefined, {}, { cwd: tmp }), 2, /no embedded store in .*typo/);
    expect(existsSync(typo)).toBe(false);
    const empty = join(tmp, "empty");
    mkdirSync(empty, { recursive: true });
    expectOneLine(await runCli([...args, "--data-dir", empty], undefined, {}, { cwd: tmp }), 2, /no embedded store in .*empty/);
    expect(readdirSync(empty)).toEqual([]); // no pgdata, no lock file, no keys
  });

  it("refuses without --data-dir when ./.maestro holds no store", async () => {
    const cwd = mkdtempSync(join(tmp, "cwd-"));
    expectOneLine(await runCli(["ledger", "checkpoint"], undefined, {}, { cwd }), 2, /no embedded store in \.maestro/);
    expect(readdirSync(cwd)).toEqual([]);
  });

  it("refuses a store with no ledger before creating any signing key", async () => {
    const dataDir = join(tmp, "bare");
    await (await openStore({ dataDir })).close(); // a store, but no server ever migrated it
    const before = readdirSync(dataDir).sort();
    const run = await runCli(["ledger", "checkpoint", "--data-dir", dataDir]);
    expectOneLine(run, 1, /no ledger in embedded store/);
    expect(run.stderr).not.toMatch(/signing_keys/);
    expect(readdirSync(dataDir).sort()).toEqual(before); // no keys/
  });
});

describe("maestro ledger with unreadable key files", () => {
  let cfg: TestStoreConfig;
  const tmp = mkdtempSync(join(tmpdir(), "maestro-keyargs-"));

  beforeAll(async () => {
    cfg = await createTestStore("embedded");
    const t = await openTestLedger(cfg);
    await t.ledger.writer.append(testEvent(0));
    await t.close();
  });
  afterAll(async () => cfg?.cleanup());

  it("reports a missing --key file as a usage error, not a failed verification", async () => {
    const run = await runCli(["ledger", "verify", "--key", join(tmp, "missing.vkey")], cfg);
    expectOneLine(run, 2, /cannot read --key .*missing\.vkey: no such file/);
  });

  it("reports a missing --jwks, a non-JWKS --jwks and a missing proof file as usage errors", async () => {
    const proof = join(tmp, "p1.txt");
    writeFileSync(proof, "not a proof\n");
    const vkey = "maestro.test/ledger+01234567+AQID";
    expectOneLine(
      await runCli(["ledger", "verify-proof", proof, "--key", vkey, "--jwks", join(tmp, "nofile")]),
      2,
      /cannot read --jwks .*nofile: no such file/,
    );
    expectOneLine(await runCli(["ledger", "verify-proof", proof, "--key", vkey, "--jwks", proof]), 2, /--jwks .*p1\.txt is not a JWKS/);
    expectOneLine(
      await runCli(["ledger", "verify-proof", join(tmp, "gone.txt"), "--key", vkey]),
      2,
      /cannot read .*gone\.txt: no such file/,
    );
    expectOneLine(await runCli(["ledger", "verify-proof", proof, "--key", join(tmp, "k1.vkey")]), 2, /cannot read --key .*k1\.vkey/);
    // A readable but bad proof is still a failed verification.
    const bad = await runCli(["ledger", "verify-proof", proof, "--key", vkey]);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/proof verification FAILED/);
  });
});

describe.runIf(process.env.DATABASE_URL)("maestro ledger against PostgreSQL that is down or empty", () => {
  it("names the connection failure, without the password, instead of 'no ledger'", async () => {
    const run = await runCli(["ledger", "verify", "--database-url", "postgres://u:s3cretpw@127.0.0.1:2/x"]);
    expectOneLine(run, 1, /cannot read the ledger in database postgres:\/\/u:\*\*\*@127\.0\.0\.1:2\/x: ECONNREFUSED/);
    expect(run.stderr).not.toContain("s3cretpw");
  });

  it("says 'no ledger' for a database without the tables, and leaves it without them", async () => {
    const cfg = await createTestStore("postgres");
    try {
      expectOneLine(await runCli(["ledger", "checkpoint"], cfg), 1, /no ledger in database/);
      expectOneLine(await runCli(["evidence", "export", "r1", "-o", join(cfg.dataDir, "e.json")], cfg), 1, /no ledger in database/);
      const store = await openStore({ databaseUrl: cfg.databaseUrl, poolSize: 1 });
      try {
        const { rows } = await sql<{
          n: number;
        }>`select count(*)::int as n from information_schema.tables where table_schema = 'public'`.execute(store.db);
        expect(itemAt(rows, 0, "count rows").n).toBe(0); // not migrated by the failed export
      } finally {
        await store.close();
      }
      expect(readdirSync(cfg.dataDir)).toEqual([]); // no keys
    } finally {
      await cfg.cleanup();
    }
  });
});

describe("maestro usage errors are one line on stderr", () => {
  it("keeps only the first line of Node's parseArgs messages", async () => {
    expectOneLine(await runCli(["ledger", "proof", "--index", "-1", "-o", "x"]), 2, /--index.*ambiguous.*see maestro ledger proof --help/);
    expectOneLine(await runCli(["token", "issue", "--ttl", "-5h"]), 2, /--ttl.*ambiguous/);
  });

  it("prints usage on stderr with exit 2 when the command is missing, on stdout with exit 0 for --help", async () => {
    for (const args of [[], ["ledger"]]) {
      const run = await runCli(args);
      expect(run.code).toBe(2);
      expect(run.stdout).toBe("");
      expect(run.stderr).toMatch(/^Usage: maestro/);
    }
    for (const args of [["--help"], ["ledger", "--help"]]) {
      const run = await runCli(args);
      expect(run.code).toBe(0);
      expect(run.stderr).toBe("");
      expect(run.stdout).toMatch(/^Usage: maestro/);
    }
  });
});
