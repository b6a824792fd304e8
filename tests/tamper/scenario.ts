// A store populated through the real server with a row in every projection table: run-sets (registered twice, with
// spend), allowed and denied decisions in two sessions, a plain outcome, a tainting and spending one, holds placed
// and cleared, a waiver used by a decision and one revoked, a break-glass used and reviewed, a release created with an
// SBOM and published, webhooks subscribed and removed, and a policy bundle activated.
import { generateKeyPairSync } from "node:crypto";
import { readFileSync } from "node:fs";
import { expect } from "vitest";
import { ed25519PublicRaw, formatCosignerVkey, signCosignature, splitNote } from "../../ledger/core/index.ts";
import { DEFAULT_BUNDLE_FILE } from "../../server/policy/index.ts";
import { startTestServer, type TestServer } from "../support/test-server.ts";
import type { TestStoreConfig, TestStoreKind } from "../support/test-stores.ts";
import { waiverRequest } from "../exceptions/support.ts";

const DIGEST = `sha256:${"0".repeat(64)}`;

const call = (overrides: Record<string, unknown> = {}) => ({
  runset: "rs-t",
  agent: "coder",
  session: "sess-a",
  tool: "read_file",
  capability: "repo.read",
  resource: "src/app.ts",
  args: { path: "src/app.ts" },
  ...overrides,
});

const RUNSET = {
  name: "rs-t",
  budget_cap_usd: 5,
  grants: [
    { agent: "coder", capability: "repo.read", resource: "src/**" },
    { agent: "coder", capability: "network.egress", resource: "docs.example.com" },
    { agent: "sec-1", capability: "release.publish", resource: "acme/api@*", approval: "none" },
  ],
};

/** Populates a fresh store and closes its server (keeping the store): the caller copies it per case and cleans it up. */
export async function populatedStore(kind: TestStoreKind): Promise<TestStoreConfig> {
  const server = await startTestServer(kind, { webhooks: { allowance: { hosts: ["127.0.0.1"] } } });
  try {
    await server.registerRunset(RUNSET);
    await server.registerRunset({ ...RUNSET, budget_cap_usd: 10 });
    await mediatorRows(server);
    await holdRows(server);
    await exceptionRows(server);
    await releaseRows(server);
    await webhookRows(server);
    // Last: the committed bundle activated by hand, so its bytes are stored (decisions stay as they were).
    const security = await server.token("security", "sec-1");
    const bundle = readFileSync(DEFAULT_BUNDLE_FILE).toString("base64");
    expect((await server.call("POST", "/v1/policy/activate", { token: security, body: { bundle } })).status).toBe(200);
    await witnessedCheckpoint(server);
    await server.close({ keepStore: true });
    return server.store;
  } catch (err) {
    await server.close();
    throw err;
  }
}

async function mediate(server: TestServer, body: Record<string, unknown>, sub = "coder") {
  const res = await server.call("POST", "/v1/mediate", { token: await server.token("agent", sub), body });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body as { decisionId: string; decision: string };
}

async function mediatorRows(server: TestServer): Promise<void> {
  const agent = await server.token("agent", "coder");
  const outcome = async (decisionId: string, body: Record<string, unknown>) =>
    expect(
      (
        await server.call("POST", `/v1/mediate/${decisionId}/outcome`, {
          token: agent,
          body: { summary: "done", outputDigest: DIGEST, ...body },
        })
      ).status,
    ).toBe(200);
  const plain = await mediate(server, call());
  expect((await mediate(server, call({ resource: "etc/passwd" }))).decision).toBe("deny");
  const fetched = await mediate(
    server,
    call({ session: "sess-b", tool: "fetch", capability: "network.egress", resource: "docs.example.com", args: {} }),
  );
  await outcome(plain.decisionId, { status: "ok" });
  await outcome(fetched.decisionId, { status: "ok", taint: { source: "https://docs.example.com" }, costUsd: 0.25 });
}

async function holdRows(server: TestServer): Promise<void> {
  const auditor = await server.token("auditor", "aud-1");
  const hold = async (body: Record<string, unknown>) => {
    const res = await server.call("POST", "/v1/holds", { token: auditor, body });
    expect(res.status).toBe(201);
    return res.body as { id: string };
  };
  await hold({ scope: { type: "repository", id: "acme/app" }, reason: "SOX evidence under review" });
  const cleared = await hold({ scope: { type: "release", id: "acme/app@1.0.0" }, reason: "pending review" });
  const clear = await server.call("POST", `/v1/holds/${cleared.id}/clear`, { token: auditor, body: { reason: "review finished" } });
  expect(clear.status).toBe(200);
}

/** A waiver approved and used by a decision, one revoked; a break-glass used by a decision and reviewed. */
async function exceptionRows(server: TestServer): Promise<void> {
  const engineer = await server.token("engineer", "eng-1");
  const security = await server.token("security", "sec-1");
  const request = async (overrides: Record<string, unknown>) => {
    const res = await server.call("POST", "/v1/waivers", {
      token: engineer,
      body: waiverRequest(overrides),
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body as { id: string };
  };
  const used = await request({});
  expect((await server.call("POST", `/v1/waivers/${used.id}/approve`, { token: security, body: { comment: "ok" } })).status).toBe(200);
  const write = call({ tool: "write_file", capability: "repo.write", resource: "src/app.ts", args: {} });
  expect((await mediate(server, write)).decision).toBe("allow");
  const revoked = await request({ runsets: ["rs-t"], resource: "docs/**" });
  const revoke = await server.call("POST", `/v1/waivers/${revoked.id}/revoke`, {
    token: await server.token("admin", "adm-1"),
    body: { reason: "no longer needed" },
  });
  expect(revoke.status).toBe(200);

  const opened = await server.call("POST", "/v1/breakglass", {
    token: await server.token("admin", "adm-1"),
    body: {
      counterClaim: "prod is down and the deploy agent lacks a grant for the hotfix path",
      compensatingControls: ["pair-reviewed live on the incident call", "diff attached to INC-7"],
      reviewDeadline: new Date(Date.now() + 24 * 3600_000).toISOString(),
      scope: { type: "agent", id: "bg-agent" },
    },
  });
  expect(opened.status, JSON.stringify(opened.body)).toBe(201);
  const bgCall = call({ agent: "bg-agent", session: "sess-bg", tool: "write_file", capability: "repo.write", args: {} });
  expect((await mediate(server, bgCall, "bg-agent")).decision).toBe("allow");
  const review = await server.call("POST", `/v1/breakglass/${opened.body.id}/review`, {
    token: security,
    body: { finding: "the hotfix path was needed", verdict: "justified" },
  });
  expect(review.status).toBe(200);
}

/** A release created with an SBOM built from a lock file, then published (its signed safety case stored). */
async function releaseRows(server: TestServer): Promise<void> {
  const security = await server.token("security", "sec-1");
  const created = await server.call("POST", "/v1/releases", {
    token: security,
    body: {
      id: "rel-1",
      repository: "acme/api",
      version: "2.0.0",
      artifacts: [{ name: "api-2.0.0.tgz", digest: { sha256: "a".repeat(64) } }],
      runsets: ["rs-t"],
      sessions: ["sess-a"],
      sbom: {
        packageLock: {
          name: "api",
          version: "2.0.0",
          lockfileVersion: 3,
          packages: { "": { name: "api", version: "2.0.0" }, "node_modules/left-pad": { version: "1.3.0" } },
        },
      },
    },
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const published = await server.call("POST", "/v1/releases/rel-1/publish", { token: security });
  expect(published.status, JSON.stringify(published.body)).toBe(200);
}

/** Two subscriptions, one removed (its secret dropped with it). */
async function webhookRows(server: TestServer): Promise<void> {
  const admin = await server.token("admin", "adm-1");
  const subscribe = async (port: number) => {
    const res = await server.call("POST", "/v1/webhooks", {
      token: admin,
      body: { url: `http://127.0.0.1:${port}/maestro`, events: ["release.published"] },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body as { id: string };
  };
  await subscribe(7501);
  const removed = await subscribe(7502);
  const remove = await server.call("POST", `/v1/webhooks/${removed.id}/remove`, { token: admin, body: { reason: "end of test" } });
  expect(remove.status).toBe(200);
}

/**
 * A checkpoint with one witness's cosignature stored beside it, as the server stores a witness's answer (a valid C2SP
 * cosignature line by a key of the test's own; the verifier checks the line, not who the witness is).
 */
async function witnessedCheckpoint(server: TestServer): Promise<void> {
  await server.ctx.ledger.checkpointer.issue();
  const { privateKey } = generateKeyPairSync("ed25519");
  const witness = formatCosignerVkey("witness.test", ed25519PublicRaw(privateKey));
  const checkpoint = await server.ctx.db
    .selectFrom("ledger_checkpoints")
    .select(["id", "note"])
    .orderBy("id", "desc")
    .executeTakeFirstOrThrow();
  const signedAt = Math.floor(Date.now() / 1000);
  const line = signCosignature(splitNote(checkpoint.note).body, { name: "witness.test", privateKey }, signedAt);
  await server.ctx.db
    .insertInto("ledger_cosignatures")
    .values({ checkpoint_id: checkpoint.id, witness, line, signed_at: signedAt })
    .execute();
}
