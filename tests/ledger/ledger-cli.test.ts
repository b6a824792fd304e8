// The auditor's CLI end to end: checkpoint, proof file, verify-proof, key rotation, and verify over HTTP.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { serve } from "@hono/node-server";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { formatVkey, generateNoteKey } from "../../ledger/core/index.ts";
import { loadKeyring } from "../../ledger/keys/keyring.ts";
import { configFromEnv, issueToken, startServer } from "../../server/index.ts";
import { createTestStore, STORE_KINDS, type TestStoreConfig } from "../support/test-stores.ts";
import { ORIGIN, openTestLedger, runCli, testEvent } from "./ledger-fixture.ts";

// Each case spawns the real CLI (a fresh Node process that loads the store): slow on a loaded 2-core machine.
vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

async function appendSome(cfg: TestStoreConfig, n: number): Promise<void> {
  const t = await openTestLedger(cfg);
  try {
    for (let i = 0; i < n; i++) await t.ledger.writer.append(testEvent(i));
  } finally {
    await t.close();
  }
}

describe.each(STORE_KINDS)("maestro ledger CLI (%s store)", (kind) => {
  let cfg: TestStoreConfig;
  const out = mkdtempSync(join(tmpdir(), "maestro-proof-"));

  beforeAll(async () => {
    cfg = await createTestStore(kind);
    await appendSome(cfg, 10);
  });
  afterAll(async () => cfg?.cleanup());

  it("issues a checkpoint, writes a proof file and verifies it offline", async () => {
    const cp = await runCli(["ledger", "checkpoint", "--json"], cfg);
    expect(cp.code).toBe(0);
    expect(cp.json).toMatchObject({ size: 10 });
    const file = join(out, "entry-3.tlog-proof");
    const proof = await runCli(["ledger", "proof", "--index", "3", "-o", file, "--json"], cfg);
    expect(proof.code, proof.stderr).toBe(0);
    expect(proof.json).toMatchObject({ index: 3, size: 10, kind: "test.entry" });
    expect(readFileSync(file, "utf8")).toMatch(/^c2sp\.org\/tlog-proof@v1\nextra [A-Za-z0-9+/=]+\nindex 3\n/);

    const keyring = await loadKeyring(cfg.dataDir);
    const vkey = formatVkey(ORIGIN, keyring.checkpoint.publicRaw);
    const jwks = join(out, "jwks.json");
    writeFileSync(jwks, JSON.stringify({ keys: [keyring.event.publicJwk] }));
    const ok = await runCli(["ledger", "verify-proof", file, "--key", vkey, "--jwks", jwks]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/proof verified: entry 3 .* size 10.*event signature verified/);

    const wrongKey = await runCli(["ledger", "verify-proof", file, "--key", generateNoteKey(ORIGIN).vkey]);
    expect(wrongKey.code).toBe(1);
    expect(wrongKey.stdout).toMatch(/FAILED/);
    const moved = join(out, "moved.tlog-proof");
    writeFileSync(moved, readFileSync(file, "utf8").replace("\nindex 3\n", "\nindex 4\n"));
    expect((await runCli(["ledger", "verify-proof", moved, "--key", vkey, "--json"])).json).toMatchObject({ ok: false });
    expect((await runCli(["ledger", "proof", "--index", "10", "-o", file], cfg)).code).toBe(1); // not covered by a checkpoint
    expect((await runCli(["ledger", "proof", "-o", file], cfg)).code).toBe(2); // usage: --index missing
  });

  it("verifies the store through bin/maestro with the same findings as node cli/main.ts", async () => {
    // The launcher starts ledger commands with --liftoff-only (tests/cli/launcher.test.ts): how fast, never what is checked.
    const viaLauncher = await runCli(["ledger", "verify", "--json"], cfg, {}, { launcher: true });
    expect(viaLauncher.code, viaLauncher.stderr).toBe(0);
    expect(viaLauncher.json).toMatchObject({ ok: true, size: 10 });
    const direct = await runCli(["ledger", "verify", "--json"], cfg);
    const { seconds: _a, ...launched } = viaLauncher.json;
    const { seconds: _b, ...plain } = direct.json;
    expect(launched).toEqual(plain);
  });

  it("rotates the event key; old and new signatures verify, a pinned JWKS with only the new key does not", async () => {
    const rotated = await runCli(["keys", "rotate", "--purpose", "event", "--json"], cfg);
    expect(rotated.code, rotated.stderr).toBe(0);
    // key.added for the keys in force (a log from before key events), then for the new key, signed by the old one.
    expect(rotated.json).toMatchObject({ purpose: "event", published: "yes", keyEvents: 4 });
    expect(rotated.json.retiredKid).not.toBe(rotated.json.currentKid);
    await appendSome(cfg, 3);
    const res = await runCli(["ledger", "verify", "--json"], cfg);
    expect(res.code, res.stdout).toBe(0);
    expect(res.json).toMatchObject({ ok: true, size: 17 });

    const keyring = await loadKeyring(cfg.dataDir);
    expect(keyring.event.kid).toBe(rotated.json.currentKid);
    const onlyNew = join(out, "new-only.json");
    writeFileSync(onlyNew, JSON.stringify({ keys: [keyring.event.publicJwk] }));
    const pinned = await runCli(["ledger", "verify", "--json", "--jwks", onlyNew], cfg);
    expect(pinned).toMatchObject({ code: 1, json: { ok: false, index: 0, part: "signature" } });
  });

  it("verifies over the Evidence API with an auditor token, and refuses without one", async () => {
    const server = await startServer(
      configFromEnv({ dataDir: cfg.dataDir, databaseUrl: cfg.databaseUrl, origin: ORIGIN, port: 0 }, {}),
      serve,
    );
    try {
      const key = server.ctx.ledger.keyring.token;
      const token = await issueToken({ kid: key.kid, privateKey: key.privateKey }, "auditor", "cli-test", 600);
      await server.ctx.ledger.checkpointer.issue();
      const url = `http://127.0.0.1:${server.port}`;
      const res = await runCli(["ledger", "verify", "--url", url, "--json"], undefined, { MAESTRO_TOKEN: token });
      expect(res.code, res.stdout + res.stderr).toBe(0);
      expect(res.json).toMatchObject({ ok: true, size: (await server.ctx.ledger.reader.head()).size });
      const file = join(out, "http.tlog-proof");
      expect((await runCli(["ledger", "proof", "--url", url, "--token", token, "--index", "11", "-o", file])).code).toBe(0);
      const denied = await runCli(["ledger", "verify", "--url", url]);
      expect(denied.code).toBe(1);
      expect(denied.stderr).toMatch(/HTTP 401.*auditor token/);
    } finally {
      await server.close();
    }
  });
});
