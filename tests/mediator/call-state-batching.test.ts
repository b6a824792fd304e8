// Batched call-state reads: many concurrent decisions, each sees its own session's taint and run-set's grants.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { STORE_KINDS } from "../support/test-stores.ts";
import { startTestServer, type TestServer } from "../support/test-server.ts";
import { itemAt } from "../../common/present.ts";

describe.each(STORE_KINDS)("concurrent decisions on %s store", (kind) => {
  let server: TestServer;
  let agent: string;
  const digest = `sha256:${"cd".repeat(32)}`;
  const call = (session: string, runset: string) => ({
    runset,
    agent: "coder",
    session,
    tool: "read_secret",
    capability: "secrets.read",
    resource: "NPM_TOKEN",
    args: { name: "NPM_TOKEN" },
  });

  beforeAll(async () => {
    server = await startTestServer(kind);
    agent = await server.token("agent", "coder");
    const security = await server.token("security");
    for (const name of ["granted", "ungranted"]) {
      const grants =
        name === "granted"
          ? [
              { agent: "coder", capability: "secrets.read", resource: "NPM_TOKEN" },
              { agent: "coder", capability: "network.egress", resource: "x.example" },
            ]
          : [];
      expect((await server.call("POST", "/v1/runsets", { token: security, body: { name, grants } })).status).toBe(201);
    }
    // Taint the odd sessions through the real outcome path.
    for (let i = 1; i < 8; i += 2) {
      const fetch = await server.call("POST", "/v1/mediate", {
        token: agent,
        body: { ...call(`s${i}`, "granted"), tool: "fetch", capability: "network.egress", resource: "x.example", args: {} },
      });
      await server.call("POST", `/v1/mediate/${fetch.body.decisionId}/outcome`, {
        token: agent,
        body: { status: "ok", summary: "fetched", outputDigest: digest, taint: { source: "https://x.example" } },
      });
    }
  });
  afterAll(() => server.close());

  it("answers each of 48 simultaneous calls from its own session and run-set", async () => {
    const cases = Array.from({ length: 48 }, (_, n) => ({ session: `s${n % 8}`, runset: n % 3 === 0 ? "ungranted" : "granted" }));
    const answers = await Promise.all(
      cases.map((c) => server.call("POST", "/v1/mediate", { token: agent, body: call(c.session, c.runset) })),
    );
    answers.forEach((res, n) => {
      const { session, runset } = itemAt(cases, n, "cases");
      const tainted = Number(session.slice(1)) % 2 === 1;
      const codes = res.body.reasons.map((r: { code: string }) => r.code);
      if (runset === "ungranted") expect(codes, `${session}/${runset}`).toContain("no_grant");
      else if (tainted) expect(codes, `${session}/${runset}`).toContain("session_tainted");
      else expect(res.body.allow, `${session}/${runset}`).toBe(true);
    });
  });
});
