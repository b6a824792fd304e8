// MAESTRO_PUBLIC_LOG=1 opens the log's own reads (checkpoints, vkey, C2SP tiles) to tokenless clients; every other route keeps its roles.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { configFromEnv } from "../../server/index.ts";
import { invalidOnPurpose } from "../support/invalid-on-purpose.ts";
import { startTestServer, type TestServer } from "../support/test-server.ts";

const LOG_READS = ["/tlog/checkpoint", "/tlog/tile/0/000.p/1", "/tlog/tile/entries/000.p/1", "/v1/ledger/checkpoint", "/v1/ledger/key"];
const GUARDED_READS = [
  "/v1/ledger/entries/0",
  "/v1/ledger/entries?from=0",
  "/v1/ledger/keys",
  "/v1/ledger/checkpoints",
  "/v1/decisions",
  "/v1/releases",
  "/v1/holds",
]; // not /v1/waivers: an engineer reads their own

async function seed(server: TestServer): Promise<void> {
  const { writer } = server.ctx.ledger;
  await writer.append({
    kind: "hold.placed",
    actor: { type: "user", id: "aud-1", role: "auditor" },
    subject: { type: "hold", id: "h-1" },
    payload: { scope: { type: "repository", id: "acme/app" }, reason: "seed" },
  });
  await server.ctx.ledger.checkpointer.issue();
}

describe("public log reads", () => {
  describe("with MAESTRO_PUBLIC_LOG=1", () => {
    let server: TestServer;
    beforeAll(async () => {
      server = await startTestServer("embedded", { publicLog: true });
      await seed(server);
    });
    afterAll(() => server.close());

    it("serves the checkpoint, the vkey and tiles without a token, and to any role", async () => {
      const engineer = await server.token("engineer");
      for (const path of LOG_READS) {
        const anonymous = await server.app.request(path);
        expect(anonymous.status, path).toBe(200);
        expect((await server.app.request(path, { headers: { authorization: `Bearer ${engineer}` } })).status, `${path} as engineer`).toBe(
          200,
        );
      }
      const note = await (await server.app.request("/tlog/checkpoint")).text();
      expect(note.split("\n")[0]).toBe(server.ctx.ledger.origin);
    });

    it("keeps every other read and every write behind its roles", async () => {
      for (const path of GUARDED_READS) expect((await server.app.request(path)).status, path).toBe(401);
      const engineer = await server.token("engineer");
      for (const path of GUARDED_READS)
        expect((await server.app.request(path, { headers: { authorization: `Bearer ${engineer}` } })).status, path).toBe(403);
      const write = await server.call("POST", "/v1/ledger/checkpoint", { body: {} });
      expect(write.status).toBe(401);
      // A path that only starts like a log route is not one.
      const lookalike = await server.app.request("/tlog/checkpointx", invalidOnPurpose("a path no route serves"));
      expect(lookalike.status).toBe(404);
    });
  });

  describe("without it (the default)", () => {
    let server: TestServer;
    beforeAll(async () => {
      server = await startTestServer("embedded");
      await seed(server);
    });
    afterAll(() => server.close());

    it("answers 401 to tokenless log reads", async () => {
      for (const path of LOG_READS) {
        const res = await server.app.request(path);
        expect(res.status, path).toBe(401);
        expect(((await res.json()) as { error: { code: string } }).error.code).toBe("unauthenticated");
      }
    });
  });

  it("reads the switch from MAESTRO_PUBLIC_LOG, off unless exactly 1", () => {
    expect(configFromEnv({}, { MAESTRO_PUBLIC_LOG: "1" }).publicLog).toBe(true);
    expect(configFromEnv({}, { MAESTRO_PUBLIC_LOG: "true" }).publicLog).toBe(false);
    expect(configFromEnv({}, {}).publicLog).toBe(false);
  });
});
