// Evidence exports carry witness cosignatures: with witnesses configured the latest checkpoint in the file is one a
// quorum of a real witness (litewitness) cosigned, and `evidence verify --witness` checks that offline.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateKeyPairSync } from "node:crypto";
import { ed25519PublicRaw, formatCosignerVkey, splitNote } from "../../ledger/core/index.ts";
import { verifyEvidenceFile } from "../../evidence/index.ts";
import { createApp, composeServer, issueToken, type Services } from "../../server/index.ts";
import { startLitewitness, type Litewitness } from "../support/litewitness.ts";
import { startTestServer, type TestServer } from "../support/test-server.ts";
import { STORE_KINDS } from "../support/test-stores.ts";
import { publishedFixture, type PublishedFixture } from "./support.ts";

describe.each(STORE_KINDS)("witnessed evidence export (%s store)", (kind) => {
  let server: TestServer;
  let before: PublishedFixture;
  let witness: Litewitness;
  let restarted: Services;
  let exported: string;

  beforeAll(async () => {
    server = await startTestServer(kind);
    before = await publishedFixture(server); // exported with no witness configured
    const { config } = server.ctx;
    await server.ctx.close();
    witness = await startLitewitness({ name: "witness.test/w1", origin: config.origin, logVkey: server.ctx.checkpointVkey });
    const file = join(config.dataDir, "witnesses.txt");
    writeFileSync(file, `${witness.vkey} ${witness.url}\n`);
    restarted = await composeServer({ ...config, witnessesFile: file, witnessQuorum: 1 });
    const app = createApp(restarted);
    const key = restarted.ledger.keyring.token;
    const auditor = await issueToken({ kid: key.kid, privateKey: key.privateKey }, "auditor", "aud-1", 3600);
    const res = await app.request(`/v1/releases/${before.releaseId}/bundle`, { headers: { authorization: `Bearer ${auditor}` } });
    expect(res.status).toBe(200);
    exported = await res.text();
  }, 120_000);
  afterAll(async () => {
    await restarted?.close();
    await witness?.close();
    await server?.close().catch(() => {}); // its context is closed already; this drops the store
  });

  it("puts the evidence inside a checkpoint the witness cosigned, and the file verifies with --witness", async () => {
    const doc = JSON.parse(exported);
    expect(splitNote(doc.latestCheckpoint).lines.some((l) => l.startsWith("\u2014 witness.test/w1 "))).toBe(true);
    const r = await verifyEvidenceFile(exported, before.jwks, { witnesses: { vkeys: [witness.vkey], quorum: 1 } });
    expect(r.failedParts).toEqual([]);
    expect(r.checks.find((c) => c.part === "witness")?.message).toMatch(/cosigned by witness\.test\/w1 \(quorum 1 of 1\)/);
    // Auditors who pin no witness see the same verdict as before witnessing existed.
    expect((await verifyEvidenceFile(exported, before.jwks)).ok).toBe(true);
  });

  it("fails --witness on an export no witness cosigned, and on a witness that did not sign", async () => {
    const r = await verifyEvidenceFile(before.exportText, before.jwks, { witnesses: { vkeys: [witness.vkey], quorum: 1 } });
    expect(r.failedParts).toEqual(["witness"]);
    const stranger = formatCosignerVkey("witness.test/w9", ed25519PublicRaw(generateKeyPairSync("ed25519").privateKey));
    const other = await verifyEvidenceFile(exported, before.jwks, { witnesses: { vkeys: [stranger], quorum: 1 } });
    expect(other.failedParts).toEqual(["witness"]);
    expect(other.checks.find((c) => c.part === "witness")?.message).toMatch(/neither checkpoint carries cosignatures from 1 of the 1/);
  });
});
