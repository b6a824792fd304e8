// A store populated through the real server with a row in every projection table: run-sets (registered twice, with
// spend), allowed and denied decisions in two sessions, a plain outcome, a tainting and spending one, holds placed
// and cleared.
import { expect } from "vitest";
import { startTestServer } from "../support/test-server.ts";
import type { TestStoreConfig, TestStoreKind } from "../support/test-stores.ts";

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

/** Populates a fresh store and closes its server (keeping the store): the caller copies it per case and cleans it up. */
export async function populatedStore(kind: TestStoreKind): Promise<TestStoreConfig> {
  const server = await startTestServer(kind);
  try {
    const agent = await server.token("agent", "coder");
    const spec = {
      name: "rs-t",
      budget_cap_usd: 5,
      grants: [
        { agent: "coder", capability: "repo.read", resource: "src/**" },
        { agent: "coder", capability: "network.egress", resource: "docs.example.com" },
      ],
    };
    await server.registerRunset(spec);
    await server.registerRunset({ ...spec, budget_cap_usd: 10 });
    const mediate = async (body: Record<string, unknown>) => {
      const res = await server.call("POST", "/v1/mediate", { token: agent, body });
      expect(res.status).toBe(200);
      return res.body as { decisionId: string; decision: string };
    };
    const outcome = async (decisionId: string, body: Record<string, unknown>) =>
      expect(
        (
          await server.call("POST", `/v1/mediate/${decisionId}/outcome`, {
            token: agent,
            body: { summary: "done", outputDigest: DIGEST, ...body },
          })
        ).status,
      ).toBe(200);
    const plain = await mediate(call());
    expect((await mediate(call({ resource: "etc/passwd" }))).decision).toBe("deny");
    const fetched = await mediate(
      call({ session: "sess-b", tool: "fetch", capability: "network.egress", resource: "docs.example.com", args: {} }),
    );
    await outcome(plain.decisionId, { status: "ok" });
    await outcome(fetched.decisionId, { status: "ok", taint: { source: "https://docs.example.com" }, costUsd: 0.25 });
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
    await server.close({ keepStore: true });
    return server.store;
  } catch (err) {
    await server.close();
    throw err;
  }
}
