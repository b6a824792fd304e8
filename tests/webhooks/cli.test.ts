// `maestro webhook …` against a real server over HTTP: the secret printed once, --json, failures, exit codes.
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { serve } from "@hono/node-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Webhook } from "standardwebhooks";
import { configFromEnv, issueToken, type RunningServer, startServer } from "../../server/index.ts";
import { createTestStore, type TestStoreConfig } from "../support/test-stores.ts";
import { type Receiver, startReceiver } from "./receiver.ts";

const MAIN = fileURLToPath(new URL("../../cli/main.ts", import.meta.url));

describe("maestro webhook CLI", () => {
  let store: TestStoreConfig;
  let server: RunningServer;
  let receiver: Receiver;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    store = await createTestStore("embedded");
    server = await startServer(configFromEnv({ dataDir: store.dataDir, port: 0, host: "127.0.0.1" }, {}), serve, {
      webhooks: { allowance: { hosts: ["127.0.0.1"] } },
    });
    const key = { kid: server.ctx.ledger.keyring.token.kid, privateKey: server.ctx.ledger.keyring.token.privateKey };
    env = {
      ...process.env,
      MAESTRO_URL: `http://127.0.0.1:${server.port}`,
      MAESTRO_TOKEN: await issueToken(key, "security", "sec-1", 3600),
    };
    receiver = await startReceiver();
  });
  afterAll(async () => {
    await receiver?.close();
    await server?.close();
    await store?.cleanup();
  });

  const maestro = (args: string[]): Promise<{ code: number; stdout: string; stderr: string }> =>
    new Promise((resolve) =>
      execFile(process.execPath, [MAIN, ...args], { env }, (err, stdout, stderr) =>
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      ),
    );

  it("adds, tests, lists and removes a subscription; the secret is printed once and verifies", async () => {
    const added = await maestro(["webhook", "add", receiver.url, "--events", "hold.placed,waiver.requested"]);
    expect(added.code, added.stderr).toBe(0);
    const secret = /signing secret \(shown only now\): (whsec_\S+)/.exec(added.stdout)![1]!;
    expect(() => new Webhook(secret)).not.toThrow();
    receiver.secret = secret;
    const id = /added webhook (\S+):/.exec(added.stdout)![1]!;

    const tested = await maestro(["webhook", "test", id]);
    expect(tested.code, tested.stderr).toBe(0);
    expect(tested.stdout).toContain("the receiver answered HTTP 204");
    expect(receiver.accepted.map((m) => m.type)).toEqual(["webhook.test"]);

    const listed = await maestro(["webhook", "list", "--json"]);
    expect(JSON.parse(listed.stdout).webhooks).toMatchObject([{ id, url: receiver.url, events: ["hold.placed", "waiver.requested"] }]);
    expect(listed.stdout).not.toContain(secret);
    const text = await maestro(["webhook", "list"]);
    expect(text.stdout).toMatch(/^ID\s+URL\s+FORMAT\s+EVENTS\s+STATE/);

    receiver.failing = true;
    const failedTest = await maestro(["webhook", "test", id]);
    expect(failedTest.code).toBe(1);
    expect(failedTest.stderr).toMatch(/\nmaestro: not delivered: HTTP 503\n$/);
    receiver.failing = false;

    expect((await maestro(["webhook", "failures"])).stdout).toBe("no failed deliveries\n");
    const removed = await maestro(["webhook", "remove", id, "--reason", "receiver retired"]);
    expect(removed.code, removed.stderr).toBe(0);
    expect((await maestro(["webhook", "remove", id, "--reason", "again"])).code).toBe(1);
  });

  it("refuses bad input with one line and exit ≠ 0", async () => {
    const plain = await maestro(["webhook", "add", "http://example.com/x", "--events", "all"]);
    expect(plain.code).toBe(1);
    expect(plain.stderr).toMatch(/^maestro: 400 invalid_field: url must be https.*MAESTRO_WEBHOOK_ALLOW_HOSTS.*\n$/);
    const missing = await maestro(["webhook", "add", receiver.url]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("missing --events");
    expect((await maestro(["webhook", "failures", "--state", "eaten"])).stderr).toMatch(
      /^maestro: 400 invalid_field: state must be one of/,
    );
  });
});
