// `maestro policy activate --default` and `maestro policy status` against a real server over HTTP.
import { readFileSync } from "node:fs";
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { serve } from "@hono/node-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { configFromEnv, issueToken, type RunningServer, startServer } from "../../server/index.ts";
import { createTestStore, type TestStoreConfig } from "../support/test-stores.ts";

const MAIN = fileURLToPath(new URL("../../cli/main.ts", import.meta.url));

describe("maestro policy activate --default / policy status", () => {
  let store: TestStoreConfig;
  let server: RunningServer;
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    store = await createTestStore("embedded");
    server = await startServer(configFromEnv({ dataDir: store.dataDir, port: 0, host: "127.0.0.1" }, {}), serve);
    const key = { kid: server.ctx.ledger.keyring.token.kid, privateKey: server.ctx.ledger.keyring.token.privateKey };
    tokens.security = await issueToken(key, "security", "sec-1", 3600);
    tokens.auditor = await issueToken(key, "auditor", "aud-1", 3600);
  });
  afterAll(async () => {
    await server?.close();
    await store?.cleanup();
  });

  function maestro(args: string[], role: string): Promise<{ code: number; stdout: string; stderr: string }> {
    const env = { ...process.env, MAESTRO_URL: `http://127.0.0.1:${server.port}`, MAESTRO_TOKEN: tokens[role] };
    return new Promise((resolve) => {
      execFile(process.execPath, [MAIN, ...args], { env }, (err, stdout, stderr) => {
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
      });
    });
  }

  it("activates the committed bundle on purpose, and status shows who did it", async () => {
    const before = await maestro(["policy", "status", "--json"], "auditor");
    expect(before.code).toBe(0);
    expect(JSON.parse(before.stdout)).toMatchObject({
      source: "default",
      activatedBy: { id: "maestro-server" },
      reason: expect.stringMatching(/^startup/),
    });

    const run = await maestro(["policy", "activate", "--default"], "security");
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^activated sha256:[0-9a-f]{64} \(the committed bundle\)\n$/);

    const after = JSON.parse((await maestro(["policy", "status", "--json"], "auditor")).stdout);
    expect(after).toMatchObject({
      source: "default",
      activatedBy: { id: "sec-1", role: "security" },
      digest: server.ctx.policy.current().digest,
    });
    const plain = await maestro(["policy", "status"], "auditor");
    expect(plain.stdout).toContain(`digest    ${after.digest}`);
    expect(plain.stdout).toContain("activated by sec-1 (security)");
    // The committed bundle records the committed mutation report; status shows its score against the threshold.
    const report = JSON.parse(readFileSync(new URL("../../policies/mutation-report.json", import.meta.url), "utf8"));
    expect(after.mutation).toMatchObject({ score: report.score, threshold: report.threshold, digest: expect.stringMatching(/^sha256:/) });
    expect(plain.stdout).toMatch(/^mutation {2}\d+\.\d % \(threshold 94\.0 %; report sha256:[0-9a-f]{64}\)$/m);
  });

  it("refuses a FILE together with --default, or neither, with a usage error", async () => {
    for (const args of [
      ["policy", "activate"],
      ["policy", "activate", "x.tar.gz", "--default"],
    ]) {
      const run = await maestro(args, "security");
      expect(run.code).not.toBe(0);
      expect(run.stderr).toMatch(/exactly one bundle FILE, or --default alone/);
    }
  });
});
