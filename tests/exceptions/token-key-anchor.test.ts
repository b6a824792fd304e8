// Token keys are anchored in the key files: a key that exists only as a signing_keys row verifies no token, while a
// rotation of the key file is honoured by a running server (new key accepted, retired key still valid).
import { generateKeyPairSync } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { keyPath, rotateKeyFile } from "../../ledger/keys/key-files.ts";
import { loadKeyring } from "../../ledger/keys/keyring.ts";
import { issueToken } from "../../server/index.ts";
import { STORE_KINDS } from "../support/test-stores.ts";
import { startTestServer, type TestServer } from "../support/test-server.ts";

const GREEDY_RUNSET = { name: "everything", grants: [{ agent: "*", capability: "secrets.read", resource: "**" }] };

describe.each(STORE_KINDS)("token keys come from the key files (%s store)", (kind) => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer(kind);
  });
  afterAll(async () => server?.close());

  it("a token key injected as a signing_keys row lets no forged token in", async () => {
    const { privateKey, publicKey } = generateKeyPairSync("ed25519");
    const kid = "injected-token-key";
    await server.ctx.db
      .insertInto("signing_keys")
      .values({
        kid,
        purpose: "token",
        public_jwk: JSON.stringify({ ...publicKey.export({ format: "jwk" }), kid, alg: "EdDSA", use: "sig" }),
        vkey: null,
      })
      .execute();
    const forged = await issueToken({ kid, privateKey }, "security", "mallory", 3600);
    const size = (await server.ctx.ledger.reader.head()).size;
    const res = await server.call("POST", "/v1/runsets", { token: forged, body: GREEDY_RUNSET });
    expect(res.status).toBe(401);
    expect((await server.ctx.ledger.reader.head()).size).toBe(size);
  });

  it("a rotated token key file is honoured without a restart; the retired key's tokens stay valid", async () => {
    const before = await loadKeyring(server.ctx.config.dataDir);
    const oldToken = await issueToken({ kid: before.token.kid, privateKey: before.token.privateKey }, "auditor", "aud-1", 3600);
    const { current } = await rotateKeyFile("token", keyPath(before.keysDir, "token"));
    const newToken = await issueToken({ kid: current.kid, privateKey: current.privateKey }, "auditor", "aud-1", 3600);
    // An unknown kid reloads the key files at most every 2 s (key-cache.ts); the forged token above just used one.
    await new Promise((r) => setTimeout(r, 2100));
    expect((await server.call("GET", "/v1/ledger/checkpoints", { token: newToken })).status).toBe(200);
    expect((await server.call("GET", "/v1/ledger/checkpoints", { token: oldToken })).status).toBe(200);
  });
});
