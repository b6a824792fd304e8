// Not part of the suite (no .test.ts): check-every-exchange.test.ts runs it in its own vitest and expects exactly the
// drifted exchanges to fail their tests, though every assertion here passes.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { serve } from "@hono/node-server";
import { afterAll, afterEach, beforeAll, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../test-server.ts";
import { present } from "../../../common/present.ts";

let server: TestServer;
let faithfulList: TestServer["ctx"]["webhooks"]["service"]["list"];
beforeAll(async () => {
  server = await startTestServer("embedded");
  faithfulList = server.ctx.webhooks.service.list;
});
afterEach(() => {
  server.ctx.webhooks.service.list = faithfulList;
});
afterAll(() => server.close());

/** The webhook list route answers a subscription without the fields the document requires. */
function driftWebhookList(): void {
  server.ctx.webhooks.service.list = async () => [{ id: "drifted" }] as never;
}

it("faithful: the list as the document describes it", async () => {
  const res = await server.call("GET", "/v1/webhooks", { token: await server.token("admin") });
  expect(res.status).toBe(200);
});

it("drifted through app.request", async () => {
  driftWebhookList();
  const res = await server.call("GET", "/v1/webhooks", { token: await server.token("admin") });
  expect(res.body).toEqual({ webhooks: [{ id: "drifted" }] });
});

it("drifted by a field the document lacks", async () => {
  const subscription = {
    id: "6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f",
    state: "active",
    url: "https://receiver.example/hook",
    events: ["waiver.requested"],
    format: "standard",
    secretDigest: `sha256:${"0".repeat(64)}`,
    createdBy: "admin",
    createdAt: "2026-12-03T00:00:00.000Z",
    delivery: { nextIndex: 0, delivered: 0, attempts: 0, deadLetters: 0 },
    ledger: [],
  };
  // Every field the document requires, well typed, and one it does not describe.
  server.ctx.webhooks.service.list = async () => [{ ...subscription, internalNote: "never documented" }] as never;
  const res = await server.call("GET", "/v1/webhooks", { token: await server.token("admin") });
  expect(res.status).toBe(200);
});

it("drifted over a real socket", async () => {
  driftWebhookList();
  const http = serve({ fetch: server.app.fetch, port: 0, hostname: "127.0.0.1" });
  await new Promise((resolve) => http.once("listening", resolve));
  try {
    const { port } = http.address() as AddressInfo;
    const res = await fetch(`http://127.0.0.1:${port}/v1/webhooks`, {
      headers: { authorization: `Bearer ${await server.token("admin")}` },
    });
    expect(res.status).toBe(200);
    await res.text();
  } finally {
    await new Promise((resolve) => http.close(resolve));
  }
});

it("refused without the mark: a body the document refuses", async () => {
  const res = await server.call("POST", "/v1/holds", { token: await server.token("auditor"), body: { nope: 1 } });
  expect(res.status).toBe(400);
});

it("refused with the mark: the same body, sent on purpose", async () => {
  const res = await server.call("POST", "/v1/holds", {
    token: await server.token("auditor"),
    body: { nope: 1 },
    invalidOnPurpose: "a hold needs a scope and a reason",
  });
  expect(res.status).toBe(400);
});

it("refused without the mark by a server in a child process", async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "maestro-drift-serve-"));
  const child = spawn(process.execPath, ["cli/main.ts", "serve", "--data-dir", dataDir, "--port", "0"], {
    env: { ...process.env, DATABASE_URL: "" },
    stdio: ["ignore", "ignore", "pipe"],
  });
  try {
    const base = await new Promise<string>((resolve, reject) => {
      let err = "";
      child.stderr.on("data", (d: Buffer) => {
        err += d;
        const m = /listening on (http:\/\/\S+)/.exec(err);
        if (m) resolve(present(m[1], "the listening URL"));
      });
      child.once("exit", (code) => reject(new Error(`serve exited ${code}: ${err}`)));
    });
    const res = await fetch(`${base}/v1/holds`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    expect(res.status).toBe(401);
    await res.text();
  } finally {
    // A server stopped with SIGTERM finishes checking what it answered before it exits.
    child.kill("SIGTERM");
    await new Promise((r) => child.once("exit", r));
    rmSync(dataDir, { recursive: true, force: true });
  }
}, 120_000);
