// Builds a published release on a real test server: a session's mediated calls and outcomes, a waiver-covered call,
// a reviewed break-glass, a hold that blocks publishing until cleared — then exports its evidence.
import { readFileSync } from "node:fs";
import { expect } from "vitest";
import type { TestServer } from "../support/test-server.ts";
import { present } from "../../common/present.ts";

export const REPO = "acme/api";
const digestOf = (c: string) => c.repeat(64);
const outcome = (status: string) => ({ status, summary: "done", outputDigest: `sha256:${"cd".repeat(32)}` });

export interface PublishedFixture {
  releaseId: string;
  exportText: string;
  jwks: string;
  vkey: string;
  holdId: string;
  blockedDecisionId: string;
}

/** Mediates one call over HTTP and records an outcome when one is given. */
export async function toolCall(
  server: TestServer,
  agent: string,
  body: Record<string, unknown>,
  status?: string,
): Promise<{ decisionId: string; policyDigest: string; allow: boolean }> {
  const res = await server.call("POST", "/v1/mediate", { token: agent, body });
  expect(res.status).toBe(200);
  if (status)
    expect((await server.call("POST", `/v1/mediate/${res.body.decisionId}/outcome`, { token: agent, body: outcome(status) })).status).toBe(
      200,
    );
  return res.body;
}

/** The fixture waiver and break-glass: ids are UUIDs, as the waiver service makes them and the OpenAPI document says. */
const WAIVER_ID = "0b6f5a52-8c1e-4f3b-9d2a-5e7c1a4b3f21";
const BREAKGLASS_ID = "7d3e9c14-2b6a-4f81-a5c0-9e4d2b7f1a63";

/** A decision the policy allowed by exception, citing an approved waiver (written as the waiver and mediator modules would). */
async function waiverCoveredCall(server: TestServer, session: string, policyDigest: string): Promise<void> {
  const { writer } = server.ctx.ledger;
  const actor = { type: "user" as const, id: "sec-1", role: "security" };
  // Real payloads: the folds (ledger/projections) write the waiver and break-glass rows from them.
  await writer.append({
    kind: "waiver.requested",
    actor,
    subject: { type: "waiver", id: WAIVER_ID },
    payload: {
      capability: "network.egress",
      resource: "pypi.org",
      agents: ["coder"],
      runsets: null,
      waives: ["no_grant"],
      fingerprints: null,
      justification: "mirror down",
      ticket: null,
      durationSeconds: 3600,
      approvalsRequired: 1,
      maxDurationSeconds: 86400,
    },
  });
  await writer.append({
    kind: "waiver.approved",
    actor,
    subject: { type: "waiver", id: WAIVER_ID },
    payload: { approvals: 1, approvalsRequired: 1, final: true, comment: null, fromVersion: 1 },
  });
  const decisionId = crypto.randomUUID();
  const call = { runset: "rs-rel", agent: "coder", session, tool: "fetch", capability: "network.egress", resource: "pypi.org", args: {} };
  await writer.append(
    {
      kind: "decision",
      actor: { type: "agent", id: "coder", role: "agent" },
      subject: { type: "decision", id: decisionId },
      payload: {
        call,
        decision: "allow",
        allow: true,
        reasons: [],
        waivers: [WAIVER_ID],
        breakglass: [],
        policy: { digest: policyDigest, revision: "r1" },
      },
    },
    // Its fold writes the mediations row, as the mediator's decisions do.
  );
  const hour = new Date(Date.now() + 3600_000).toISOString();
  await writer.append({
    kind: "breakglass.opened",
    actor,
    subject: { type: "breakglass", id: BREAKGLASS_ID },
    payload: {
      counterClaim: "prod down",
      compensatingControls: ["pairing"],
      reviewDeadline: hour,
      expiresAt: hour,
      scope: { type: "runset", id: "rs-rel" },
    },
  });
  await writer.append({
    kind: "breakglass.reviewed",
    actor,
    subject: { type: "breakglass", id: BREAKGLASS_ID },
    payload: { finding: "needed", verdict: "justified", reviewedLate: false, uses: 0, fromVersion: 1 },
  });
}

export async function registerRunset(server: TestServer): Promise<void> {
  await server.registerRunset(
    {
      name: "rs-rel",
      budget_cap_usd: 10,
      grants: [
        { agent: "coder", capability: "repo.read", resource: "src/**" },
        { agent: "coder", capability: "tests.run", resource: "npm test" },
        { agent: "sec-1", capability: "release.publish", resource: `${REPO}@*`, approval: "none" },
      ],
    },
    "sec-1",
  );
}

export function releaseBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: "api-1.2.0",
    repository: REPO,
    version: "1.2.0",
    artifacts: [{ name: "acme-api-1.2.0.tgz", digest: { sha256: digestOf("a") } }],
    sessions: ["s-1"],
    runsets: [],
    sbom: { packageLock: JSON.parse(readFileSync("package-lock.json", "utf8")) },
    ...overrides,
  };
}

export async function publishedFixture(server: TestServer): Promise<PublishedFixture> {
  await registerRunset(server);
  const agent = await server.token("agent", "coder");
  const security = await server.token("security", "sec-1");
  const auditor = await server.token("auditor", "aud-1");
  const first = await toolCall(
    server,
    agent,
    { runset: "rs-rel", agent: "coder", session: "s-1", tool: "read", capability: "repo.read", resource: "src/a.ts", args: {} },
    "ok",
  );
  await toolCall(server, agent, {
    runset: "rs-rel",
    agent: "coder",
    session: "s-1",
    tool: "read",
    capability: "repo.read",
    resource: "/etc/passwd",
    args: {},
  });
  await toolCall(
    server,
    agent,
    { runset: "rs-rel", agent: "coder", session: "s-1", tool: "test", capability: "tests.run", resource: "npm test", args: {} },
    "ok",
  );
  await waiverCoveredCall(server, "s-1", first.policyDigest);

  const created = await server.call("POST", "/v1/releases", { token: security, body: releaseBody() });
  expect(created.status).toBe(201);
  const hold = await server.call("POST", "/v1/holds", {
    token: auditor,
    body: { scope: { type: "repository", id: REPO }, reason: "pending security review" },
  });
  expect(hold.status).toBe(201);
  const blocked = await server.call("POST", "/v1/releases/api-1.2.0/publish", { token: security });
  expect(blocked.status, JSON.stringify(blocked.body)).toBe(409);
  expect(blocked.body.error.code).toBe("release_blocked");
  const blockedDecisionId = present(
    /decision ([0-9a-f-]{36})/.exec(blocked.body.error.message)?.[1],
    "the blocked decision's id in the refusal",
  );
  const holdId = hold.body.id ?? hold.body.hold?.id;
  expect((await server.call("POST", `/v1/holds/${holdId}/clear`, { token: auditor, body: { reason: "review passed" } })).status).toBe(200);
  const published = await server.call("POST", "/v1/releases/api-1.2.0/publish", { token: security });
  expect(published.status, JSON.stringify(published.body)).toBe(200);

  const exported = await server.app.request("/v1/releases/api-1.2.0/bundle", { headers: { authorization: `Bearer ${auditor}` } });
  expect(exported.status).toBe(200);
  const jwks = JSON.stringify(await (await server.app.request("/.well-known/jwks.json")).json());
  const vkey = await (await server.app.request("/v1/ledger/key", { headers: { authorization: `Bearer ${auditor}` } })).text();
  return { releaseId: "api-1.2.0", exportText: await exported.text(), jwks, vkey, holdId, blockedDecisionId };
}
