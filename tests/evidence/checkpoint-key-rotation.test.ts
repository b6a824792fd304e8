// Evidence exports across `maestro keys rotate --purpose checkpoint`, on both stores: a release published under the old
// checkpoint key, the key rotated by the real CLI, the server restarted, then the bundle exported and verified offline.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateNoteKey, parseCheckpoint, parseSignerKey, signNote, verifyCheckpoint } from "../../ledger/core/index.ts";
import { verifyStoredLog } from "../ledger/ledger-fixture.ts";
import { verifyEvidenceFile, type SafetyCaseStatement } from "../../evidence/index.ts";
import { createApp, composeServer, issueToken, type ServerConfig, type Services } from "../../server/index.ts";
import { startTestServer, type TestServer } from "../support/test-server.ts";
import { STORE_KINDS } from "../support/test-stores.ts";
import { publishedFixture, releaseBody, type PublishedFixture } from "./support.ts";

/** `maestro keys rotate --purpose checkpoint` on the stopped server's store, as an operator runs it. */
function rotateCheckpointKey(config: ServerConfig): { retiredKid: string; currentKid: string; published: string } {
  const store = config.databaseUrl ? ["--database-url", config.databaseUrl] : [];
  const run = spawnSync(
    process.execPath,
    ["cli/main.ts", "keys", "rotate", "--purpose", "checkpoint", "--json", "--data-dir", config.dataDir, ...store],
    {
      encoding: "utf8",
      env: { ...process.env, DATABASE_URL: "", MAESTRO_LOG_ORIGIN: config.origin },
    },
  );
  expect(run.status, run.stderr).toBe(0);
  return JSON.parse(run.stdout);
}

const statementOf = (doc: any): SafetyCaseStatement =>
  JSON.parse(Buffer.from(doc.safetyCase.bundle.dsseEnvelope.payload, "base64").toString("utf8"));

describe.each(STORE_KINDS)("evidence export after a checkpoint key rotation (%s store)", (kind) => {
  let server: TestServer;
  let before: PublishedFixture;
  let restarted: Services;
  let app: ReturnType<typeof createApp>;
  let auditor: string;
  let after: { text: string; doc: any; jwks: string; vkey: string };
  const dir = mkdtempSync(join(tmpdir(), "maestro-rotation-"));

  const get = async (path: string) => app.request(path, { headers: { authorization: `Bearer ${auditor}` } });

  beforeAll(async () => {
    server = await startTestServer(kind);
    before = await publishedFixture(server); // its export issued the checkpoint that covers the release, with the old key
    const { config } = server.ctx;
    await server.ctx.close();
    expect(rotateCheckpointKey(config)).toMatchObject({ published: "yes" });
    restarted = await composeServer(config);
    app = createApp(restarted);
    const key = restarted.ledger.keyring.token;
    auditor = await issueToken({ kid: key.kid, privateKey: key.privateKey }, "auditor", "aud-1", 3600);
    const res = await get(`/v1/releases/${before.releaseId}/bundle`);
    expect(res.status).toBe(200);
    const text = await res.text();
    after = {
      text,
      doc: JSON.parse(text),
      jwks: JSON.stringify(await (await app.request("/.well-known/jwks.json")).json()),
      vkey: await (await get("/v1/ledger/key")).text(),
    };
  }, 120_000);
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await restarted?.close();
    await server.close().catch(() => {}); // its context is closed already; this drops the store
  });

  it("the rotation replaced the checkpoint key", () => {
    expect(after.vkey.trim()).not.toBe(before.vkey.trim());
    expect(after.doc.keys.vkey.split("\n")).toEqual([after.vkey.trim(), before.vkey.trim()]);
  });

  it("an export made after the rotation verifies offline with the JWKS and with the vkey published now", async () => {
    const byJwks = await verifyEvidenceFile(after.text, after.jwks);
    expect(byJwks.failedParts, JSON.stringify(byJwks.checks.filter((c) => !c.ok))).toEqual([]);
    const byVkey = await verifyEvidenceFile(after.text, after.vkey);
    expect(byVkey.failedParts, JSON.stringify(byVkey.checks.filter((c) => !c.ok))).toEqual([]);
    // As the auditor runs it.
    writeFileSync(join(dir, "after.json"), after.text);
    writeFileSync(join(dir, "ledger.vkey"), after.vkey);
    const cli = spawnSync(
      process.execPath,
      ["cli/main.ts", "evidence", "verify", join(dir, "after.json"), "--key", join(dir, "ledger.vkey")],
      { encoding: "utf8" },
    );
    expect(cli.status, cli.stdout + cli.stderr).toBe(0);
  });

  it("the export made before the rotation still verifies with the keys pinned back then", async () => {
    expect((await verifyEvidenceFile(before.exportText, before.jwks)).failedParts).toEqual([]);
    expect((await verifyEvidenceFile(before.exportText, before.vkey)).failedParts).toEqual([]);
  });

  it("shows the rotation: the retired key signed the checkpoint, the current key a consistent newer one", () => {
    const oldKey = before.vkey.trim();
    const newKey = after.vkey.trim();
    const cp = verifyCheckpoint(after.doc.checkpoint, oldKey);
    expect(() => verifyCheckpoint(after.doc.checkpoint, newKey)).toThrow(/no signature from a known key/);
    const latest = verifyCheckpoint(after.doc.latestCheckpoint, newKey);
    expect(latest.size).toBeGreaterThanOrEqual(cp.size);
    expect(after.doc.consistency.checkpointToLatest).toMatchObject({ from: cp.size, to: latest.size });
    // The signed statement was made before the rotation: it names the key of its time, now retired.
    expect(statementOf(after.doc).predicate.keys.checkpointVkey).toBe(oldKey);
  });

  it("still enforces a pinned vkey: the old one alone does not cover the newest checkpoint, old and new together do", async () => {
    const oldOnly = await verifyEvidenceFile(after.text, before.vkey);
    expect(oldOnly.failedParts).toEqual(["latestCheckpoint"]);
    expect(oldOnly.checks.find((c) => !c.ok)?.message).toMatch(/not pinned/);
    expect((await verifyEvidenceFile(after.text, `${before.vkey.trim()}\n${after.vkey.trim()}\n`)).failedParts).toEqual([]);
    const foreign = await verifyEvidenceFile(after.text, generateNoteKey(restarted.ledger.origin).vkey);
    expect(foreign.failedParts[0]).toBe("keys");
  });

  it("does not trust a checkpoint key on the bundle's word alone", async () => {
    // A key slipped into the bundle's list signs the newest checkpoint: neither the pinned vkey nor the current key signed it.
    const evil = generateNoteKey(restarted.ledger.origin);
    const body = after.doc.latestCheckpoint.slice(0, after.doc.latestCheckpoint.indexOf("\n\n") + 1);
    const forged = {
      ...after.doc,
      keys: { ...after.doc.keys, vkey: `${after.doc.keys.vkey}\n${evil.vkey}` },
      latestCheckpoint: signNote(body, parseSignerKey(evil.signerKey)),
    };
    const byVkey = await verifyEvidenceFile(JSON.stringify(forged), after.vkey);
    expect(byVkey.failedParts).toEqual(["checkpoint", "latestCheckpoint", "exportSignature"]);
    expect(byVkey.checks.find((c) => c.part === "latestCheckpoint")?.message).toMatch(/signed by .*, which is not pinned/);
    expect((await verifyEvidenceFile(JSON.stringify(forged), after.jwks)).failedParts).toEqual([
      "checkpoint",
      "latestCheckpoint",
      "exportSignature",
    ]);
    // Listed first, as if current: with a JWKS pinned, the export signature over the key list is what refuses it.
    const promoted = { ...forged, keys: { ...forged.keys, vkey: `${evil.vkey}\n${after.doc.keys.vkey}` } };
    expect((await verifyEvidenceFile(JSON.stringify(promoted), after.jwks)).failedParts).toEqual(["exportSignature"]);
    expect((await verifyEvidenceFile(JSON.stringify(promoted), after.vkey)).failedParts).toEqual([
      "checkpoint",
      "latestCheckpoint",
      "exportSignature",
    ]);
    // Without the retired key the checkpoint does not verify, and the statement names a key the bundle does not carry.
    const dropped = { ...after.doc, keys: { ...after.doc.keys, vkey: after.vkey.trim() } };
    const result = await verifyEvidenceFile(JSON.stringify(dropped), after.jwks);
    expect(result.failedParts.slice(0, 2)).toEqual(["checkpoint", "keys"]);
    expect(result.checks.find((c) => c.part === "keys" && !c.ok)?.message).toMatch(/attests a checkpoint key the bundle does not carry/);
  });

  it("a release published after the rotation attests the new key and verifies", async () => {
    const security = await issueToken(
      { kid: restarted.ledger.keyring.token.kid, privateKey: restarted.ledger.keyring.token.privateKey },
      "security",
      "sec-1",
      3600,
    );
    const call = (path: string, body?: unknown) =>
      app.request(path, {
        method: "POST",
        headers: { authorization: `Bearer ${security}`, "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    expect((await call("/v1/releases", releaseBody({ id: "api-1.4.0", version: "1.4.0" }))).status).toBe(201);
    const published = await call("/v1/releases/api-1.4.0/publish");
    expect(published.status, await published.clone().text()).toBe(200);
    const text = await (await get("/v1/releases/api-1.4.0/bundle")).text();
    const doc = JSON.parse(text);
    expect(statementOf(doc).predicate.keys.checkpointVkey).toBe(after.vkey.trim());
    expect(parseCheckpoint(doc.checkpoint.slice(0, doc.checkpoint.indexOf("\n\n") + 1)).size).toBeGreaterThan(doc.release.published.index);
    expect((await verifyEvidenceFile(text, after.jwks)).failedParts).toEqual([]);
    expect((await verifyEvidenceFile(text, after.vkey)).failedParts).toEqual([]);
  });

  it("`maestro ledger verify`'s checks still hold with the checkpoints the exports issued", async () => {
    const result = await verifyStoredLog(restarted);
    expect(result).toMatchObject({ ok: true });
  });
});
