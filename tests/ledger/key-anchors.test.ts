// Trust anchors live outside the database: keys injected as signing_keys rows make no forged entry or checkpoint
// verify, and a rotation is ledgered (key.added by the old key, key.retired at restart) so trust chains from the first key.
import { generateKeyPairSync } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { ed25519PublicRaw, formatVkey, leafHash, nodeHash, signCheckpoint } from "../../ledger/core/index.ts";
import { canonicalBytes, stampEvent } from "../../ledger/event/envelope.ts";
import { jwkThumbprint } from "../../ledger/event/key-events.ts";
import { keyPath, rotateKeyFile } from "../../ledger/keys/key-files.ts";
import { loadKeyring } from "../../ledger/keys/keyring.ts";
import { eventSigner } from "../../ledger/append/event-signer.ts";
import { CompactRange } from "../../ledger/verify/index.ts";
import { createTestStore, STORE_KINDS, type TestStoreConfig } from "../support/test-stores.ts";
import { ORIGIN, openTestLedger, runCli, testEvent, withDb } from "./ledger-fixture.ts";
import { itemAt } from "../../common/present.ts";

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

const SIZE = 6;

/** An Ed25519 key pair and the signing_keys row that would publish it. */
function injectedKey(purpose: "event" | "checkpoint") {
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
  const x = String(publicKey.export({ format: "jwk" }).x);
  const kid = jwkThumbprint({ crv: "Ed25519", kty: "OKP", x });
  const row = {
    kid,
    purpose,
    public_jwk: JSON.stringify({ kty: "OKP", crv: "Ed25519", x, kid, alg: "EdDSA", use: "sig" }),
    vkey: purpose === "checkpoint" ? formatVkey(ORIGIN, ed25519PublicRaw(privateKey)) : null,
  };
  return { kid, privateKey, row };
}

/** Recomputes every stored subtree hash and the head from the leaf hashes, as a forger with database access would. */
async function rehash(db: any): Promise<void> {
  const rows = await db.selectFrom("ledger_entries").select(["idx", "leaf_hash"]).orderBy("idx").execute();
  let level: Uint8Array[] = rows.map((r: { leaf_hash: Uint8Array }) => new Uint8Array(r.leaf_hash));
  const range = new CompactRange();
  for (const leaf of level) range.append(leaf);
  for (let l = 1; level.length >= 2; l++) {
    const up: Uint8Array[] = [];
    for (let i = 0; i + 1 < level.length; i += 2) up.push(nodeHash(itemAt(level, i, "level"), itemAt(level, i + 1, "level")));
    for (const [i, hash] of up.entries())
      await db.updateTable("ledger_nodes").set({ hash }).where("level", "=", l).where("idx", "=", i).execute();
    level = up;
  }
  await db.updateTable("ledger_head").set({ root: range.root() }).where("id", "=", 1).execute();
}

describe.each(STORE_KINDS)("trust anchors outside the database (%s store)", (kind) => {
  let cfg: TestStoreConfig;

  beforeAll(async () => {
    cfg = await createTestStore(kind);
    const t = await openTestLedger(cfg);
    try {
      for (let i = 0; i < SIZE; i++) {
        await t.ledger.writer.append(testEvent(i));
        if (i === 2) await t.ledger.checkpointer.issue();
      }
    } finally {
      await t.close();
    }
  });
  afterAll(async () => cfg?.cleanup());

  const verify = async (extra: string[] = []) => {
    const run = await runCli(["ledger", "verify", "--json", ...extra], cfg);
    if (run.json === undefined) throw new Error(`no JSON from the CLI: ${run.stderr}`);
    return run;
  };

  it("an event key injected as a signing_keys row makes no forged entry verify, head and nodes rehashed", async () => {
    expect((await verify()).code).toBe(0);
    const evil = injectedKey("event");
    const original = await withDb(cfg, async (db: any) => {
      const row = await db
        .selectFrom("ledger_entries")
        .selectAll()
        .where("idx", "=", SIZE - 1)
        .executeTakeFirstOrThrow();
      const event = stampEvent({ ...testEvent(99), payload: { forged: true } }, new Date());
      const canonical = canonicalBytes(event);
      const signature = await eventSigner({ kid: evil.kid, privateKey: evil.privateKey } as any).sign(canonical);
      await db.insertInto("signing_keys").values(evil.row).execute();
      await db
        .updateTable("ledger_entries")
        .set({ canonical, leaf_hash: leafHash(canonical), signature, event_id: event.id, subject: "decision:d-99" })
        .where("idx", "=", SIZE - 1)
        .execute();
      await rehash(db);
      return row;
    });
    const run = await verify();
    await withDb(cfg, async (db: any) => {
      await db
        .updateTable("ledger_entries")
        .set(original)
        .where("idx", "=", SIZE - 1)
        .execute();
      await db.deleteFrom("signing_keys").where("kid", "=", evil.kid).execute();
      await rehash(db);
    });
    expect(run).toMatchObject({ code: 1, json: { ok: false, index: SIZE - 1, part: "signature" } });
    expect(run.json.reason).toContain(evil.kid);
    expect((await verify()).code).toBe(0);
  });

  it("a checkpoint key injected as a signing_keys row makes no forged checkpoint verify, even one with the true root", async () => {
    const evil = injectedKey("checkpoint");
    const id = await withDb(cfg, async (db: any) => {
      const head = await db.selectFrom("ledger_head").select(["size", "root"]).where("id", "=", 1).executeTakeFirstOrThrow();
      const note = signCheckpoint(
        { origin: ORIGIN, size: Number(head.size), rootHash: new Uint8Array(head.root) },
        { name: ORIGIN, privateKey: evil.privateKey },
      );
      await db.insertInto("signing_keys").values(evil.row).execute();
      const inserted = await db
        .insertInto("ledger_checkpoints")
        .values({ size: head.size, root: head.root, note })
        .returning("id")
        .executeTakeFirstOrThrow();
      return inserted.id;
    });
    const run = await verify();
    await withDb(cfg, async (db: any) => {
      await db.deleteFrom("ledger_checkpoints").where("id", "=", id).execute();
      await db.deleteFrom("signing_keys").where("kid", "=", evil.kid).execute();
    });
    expect(run).toMatchObject({ code: 1, json: { ok: false, part: "checkpoint" } });
    expect(run.json.reason).toMatch(/no signature from a known key/);
  });

  it("a rotation is ledgered, and trust chains from the first key alone", async () => {
    const first = await loadKeyring(cfg.dataDir);
    const firstJwks = { keys: [first.event.publicJwk] };
    const firstVkey = formatVkey(ORIGIN, first.checkpoint.publicRaw);
    // A server start records the genesis keys; then both keys rotate; the next start retires the old ones.
    const startServer = async (retire: boolean) => {
      const t = await openTestLedger(cfg, { migrate: false });
      try {
        const n = await t.ledger.recordKeyEvents({ retire });
        await t.ledger.writer.append(testEvent(50));
        await t.ledger.checkpointer.issue();
        return n;
      } finally {
        await t.close();
      }
    };
    expect(await startServer(true)).toBe(3); // event (self-introduced), token, checkpoint
    expect(await startServer(true)).toBe(0);
    await rotateKeyFile("event", keyPath(first.keysDir, "event"));
    await rotateKeyFile("checkpoint", keyPath(first.keysDir, "checkpoint"));
    // added: new event (by the old key), new checkpoint, both old ones' records exist; retired: old event, old checkpoint
    expect(await startServer(true)).toBe(4);
    const jwksFile = join(cfg.dataDir, "first-event-key.jwks.json");
    writeFileSync(jwksFile, JSON.stringify(firstJwks));
    const pinnedOld = await verify(["--jwks", jwksFile, "--key", firstVkey]);
    expect(pinnedOld).toMatchObject({ code: 0, json: { ok: true } });
    const { entries } = await withDb(cfg, async (db: any) => ({
      entries: await db.selectFrom("ledger_entries").select(["kind", "subject"]).where("kind", "like", "key.%").orderBy("idx").execute(),
    }));
    expect(entries.map((e: { kind: string }) => e.kind)).toEqual([
      "key.added",
      "key.added",
      "key.added",
      "key.added",
      "key.added",
      "key.retired",
      "key.retired",
    ]);
  });
});
