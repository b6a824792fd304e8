// Policy activation is durable: an activated bundle survives a restart (restored from its stored bytes, checked against
// the ledgered digest), going back to the committed bundle takes an explicit, ledgered --default, and altered or
// missing stored bytes stop the server from starting rather than running another policy.
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { configFromEnv, createApp, composeServer, issueToken, type Services } from "../../server/index.ts";
import { HAVE_OPA, opaBundle, stubPolicy } from "../../server/policy/test-helpers.ts";
import { createTestStore, STORE_KINDS, type TestStoreConfig } from "../support/test-stores.ts";

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

// The security team's emergency rule: deny every call, saying why.
const FREEZE = stubPolicy(
  'allow := false\n\ndecision := "deny"\n\nreasons := [{"code": "emergency_freeze", "message": "security froze all calls"}]\n\n' +
    'waivers := []\n\nobligations := {"secret_fields": []}\n',
);
const CALL = { runset: "rs", agent: "coder", session: "s", tool: "read_file", capability: "repo.read", resource: "a.ts", args: {} };

describe.skipIf(!HAVE_OPA).each(STORE_KINDS)("durable policy activation (%s store)", (kind) => {
  let cfg: TestStoreConfig;
  let freeze: string;
  let ctx: Services | undefined;
  let app: ReturnType<typeof createApp>;

  async function start(): Promise<void> {
    ctx = await composeServer(configFromEnv({ dataDir: cfg.dataDir, databaseUrl: cfg.databaseUrl }, {}));
    app = createApp(ctx);
  }
  async function stop(): Promise<void> {
    await ctx?.close();
    ctx = undefined;
  }
  async function call(method: string, path: string, role: string, sub: string, body?: unknown) {
    const key = ctx!.ledger.keyring.token;
    const token = await issueToken({ kid: key.kid, privateKey: key.privateKey }, role as never, sub, 3600);
    const res = await app.request(path, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as any };
  }
  const mediate = () => call("POST", "/v1/mediate", "agent", "coder", CALL);
  const status = async () => (await call("GET", "/v1/policy/status", "auditor", "auditor-1")).body;

  beforeAll(async () => {
    cfg = await createTestStore(kind);
    freeze = Buffer.from(await opaBundle(FREEZE)).toString("base64");
    await start();
    const res = await call("POST", "/v1/runsets", "security", "security-1", {
      name: "rs",
      grants: [{ agent: "coder", capability: "repo.read", resource: "**" }],
    });
    expect(res.status).toBe(201);
  });
  afterAll(async () => {
    await stop().catch(() => {});
    await cfg?.cleanup();
  });

  it("an activated deny rule still holds after a restart, and status names who activated it", async () => {
    expect((await mediate()).body.decision).toBe("allow");
    expect((await status()).source).toBe("default");
    const activated = await call("POST", "/v1/policy/activate", "security", "security-1", { bundle: freeze });
    expect(activated.status).toBe(200);
    expect((await mediate()).body).toMatchObject({ decision: "deny", reasons: [expect.objectContaining({ code: "emergency_freeze" })] });
    const before = await status();
    expect(before).toMatchObject({
      digest: activated.body.digest,
      source: "activated",
      activatedBy: { id: "security-1", role: "security" },
    });

    await stop();
    await start();
    expect((await mediate()).body).toMatchObject({ decision: "deny", reasons: [expect.objectContaining({ code: "emergency_freeze" })] });
    // Restored, not re-activated: the status is the same ledgered activation.
    expect(await status()).toEqual(before);
  });

  it("goes back to the committed bundle only on an explicit, ledgered --default, which also survives a restart", async () => {
    const res = await call("POST", "/v1/policy/activate", "security", "security-2", { default: true });
    expect(res.status).toBe(200);
    expect((await mediate()).body.decision).toBe("allow");
    const entry = await ctx!.ledger.reader.entry((await status()).ledgerIndex);
    expect(entry.event).toMatchObject({
      kind: "policy.activated",
      actor: { id: "security-2" },
      payload: { source: "default", digest: res.body.digest },
    });
    await stop();
    await start();
    expect((await mediate()).body.decision).toBe("allow");
    expect(await status()).toMatchObject({ source: "default", activatedBy: { id: "security-2" } });
  });

  it("rejects a malformed default request naming the field", async () => {
    for (const body of [{ default: false }, { default: true, bundle: freeze }]) {
      const res = await call("POST", "/v1/policy/activate", "security", "security-1", body);
      expect(res.status).toBe(400);
      expect(res.body.error.field).toBe("/default");
    }
  });

  it("refuses to start on altered or missing stored bytes rather than run another policy", async () => {
    const activated = await call("POST", "/v1/policy/activate", "security", "security-1", { bundle: freeze });
    expect(activated.status).toBe(200);
    const db = ctx!.db;
    await sql`update policy_bundles set bytes = bytes || '\\x00'::bytea where digest = ${activated.body.digest}`.execute(db);
    await stop();
    await expect(start()).rejects.toMatchObject({
      code: "policy_bundle_invalid",
      message: expect.stringMatching(/refusing to start: .* hash to sha256:/),
    });
    // Missing altogether (a restore without the table): refused too.
    const { openStore } = await import("../../ledger/store/database.ts");
    const store = await openStore<any>({ dataDir: cfg.dataDir, databaseUrl: cfg.databaseUrl, poolSize: 1 });
    await sql`delete from policy_bundles`.execute(store.db);
    await store.close();
    await expect(start()).rejects.toMatchObject({
      code: "policy_bundle_invalid",
      message: expect.stringMatching(/no stored bytes for bundle/),
    });
  });
});
