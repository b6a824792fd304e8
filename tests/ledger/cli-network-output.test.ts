// The ledger and evidence CLI over HTTP when the server is away or answers HTML, and output files when a write fails.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { serve } from "@hono/node-server";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { configFromEnv, issueToken, type RunningServer, startServer } from "../../server/index.ts";
import { createTestStore, type TestStoreConfig } from "../support/test-stores.ts";
import { type CliRun, ORIGIN, openTestLedger, runCli, testEvent } from "./ledger-fixture.ts";

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

function expectOneLine(run: CliRun, pattern: RegExp): void {
  expect(run.code, run.stderr).toBe(1);
  expect(run.stderr).toMatch(/^maestro: [^\n]+\n$/);
  expect(run.stderr).toMatch(pattern);
}

const HTML_404 = "<!DOCTYPE html>\n<html>\n<body>\n<h1>Not Found</h1>\n</body>\n</html>\n";
const BIG_BUNDLE = JSON.stringify({ events: Array.from({ length: 2000 }, (_, i) => ({ index: i, pad: "x".repeat(40) })) });

/** Stands in for a reverse proxy in front of the wrong thing: HTML 404s, a bundle too big to write, a cut-off body. */
function fakeServer(): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    if (req.url === "/v1/releases/big/bundle") res.writeHead(200, { "content-type": "application/json" }).end(BIG_BUNDLE);
    else if (req.url === "/v1/releases/cut/bundle") res.writeHead(200, { "content-type": "application/json" }).end('{"events": [{"index"');
    else if (req.url === "/v1/releases/text/bundle") res.writeHead(200, { "content-type": "application/json" }).end('{"release": "text"}');
    else res.writeHead(404, { "content-type": "text/html; charset=utf-8" }).end(HTML_404);
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () =>
      resolve({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        close: () => new Promise((r) => server.close(() => r())),
      }),
    ),
  );
}

describe("maestro ledger/evidence over HTTP", () => {
  let fake: { url: string; close(): Promise<void> };
  const tmp = mkdtempSync(join(tmpdir(), "maestro-net-"));

  beforeAll(async () => {
    fake = await fakeServer();
  });
  afterAll(async () => fake?.close());

  it("names the URL and the cause when nothing listens", async () => {
    // Port 2: closed, and not on fetch's blocked-port list (port 1 is; fetch would refuse it before connecting).
    const down = "http://127.0.0.1:2";
    expectOneLine(
      await runCli(["ledger", "checkpoint", "--url", down]),
      /cannot reach http:\/\/127\.0\.0\.1:2\/v1\/ledger\/checkpoint: ECONNREFUSED/,
    );
    expectOneLine(
      await runCli(["evidence", "export", "r1", "-o", join(tmp, "e.json"), "--url", down]),
      /cannot reach http:\/\/127\.0\.0\.1:2\/v1\/releases\/r1\/bundle: ECONNREFUSED/,
    );
    expectOneLine(await runCli(["ledger", "verify", "--url", down]), /cannot reach http:\/\/127\.0\.0\.1:2\/v1\/ledger\/.*: ECONNREFUSED/);
  });

  it("says an HTML answer is not JSON, on one line", async () => {
    expectOneLine(
      await runCli(["ledger", "checkpoint", "--url", fake.url]),
      /\/v1\/ledger\/checkpoint answered 404 \(text\/html\), not JSON/,
    );
    expectOneLine(
      await runCli(["evidence", "export", "r1", "-o", join(tmp, "e.json"), "--url", fake.url]),
      /\/v1\/releases\/r1\/bundle answered 404 \(text\/html\), not JSON/,
    );
    expectOneLine(await runCli(["ledger", "verify", "--url", fake.url]), /answered 404 \(text\/html\), not JSON/);
    expectOneLine(await runCli(["hold", "list", "--url", fake.url, "--token", "t"]), /404 error: <!DOCTYPE html> <html>/);
  });

  it("keeps the previous bundle when the new one does not parse or cannot be written", async () => {
    const file = join(tmp, "bundle.json");
    writeFileSync(file, '{"events": []}\n');
    expectOneLine(
      await runCli(["evidence", "export", "cut", "-o", file, "--url", fake.url]),
      /answered 200 \(application\/json\), not JSON/,
    );
    expectOneLine(await runCli(["evidence", "export", "text", "-o", file, "--url", fake.url]), /not an evidence bundle/);
    const efbig = await runCli(["evidence", "export", "big", "-o", file, "--url", fake.url], undefined, {}, { maxFileBlocks: 8 });
    expectOneLine(efbig, /cannot write .*bundle\.json: file too large/);
    expect(readFileSync(file, "utf8")).toBe('{"events": []}\n');
    expect(readdirSync(tmp).filter((f) => f.endsWith(".tmp"))).toEqual([]);
    const ok = await runCli(["evidence", "export", "big", "-o", file, "--url", fake.url]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(readFileSync(file, "utf8")).toBe(BIG_BUNDLE);
  });
});

describe("maestro ledger proof output file", () => {
  let cfg: TestStoreConfig;
  let server: RunningServer;
  let token: string;
  const tmp = mkdtempSync(join(tmpdir(), "maestro-proof-out-"));

  beforeAll(async () => {
    cfg = await createTestStore("embedded");
    const t = await openTestLedger(cfg);
    for (let i = 0; i < 5; i++) await t.ledger.writer.append(testEvent(i));
    await t.close();
    server = await startServer(configFromEnv({ dataDir: cfg.dataDir, origin: ORIGIN, port: 0 }, {}), serve);
    await server.ctx.ledger.checkpointer.issue();
    const key = server.ctx.ledger.keyring.token;
    token = await issueToken({ kid: key.kid, privateKey: key.privateKey }, "auditor", "cli-test", 600);
  });
  afterAll(async () => {
    await server?.close();
    await cfg?.cleanup();
  });

  it("leaves the previous proof in place when the write fails", async () => {
    const file = join(tmp, "entry-2.tlog-proof");
    writeFileSync(file, "previous proof\n");
    const args = ["ledger", "proof", "--url", `http://127.0.0.1:${server.port}`, "--token", token, "--index", "2", "-o", file];
    const failed = await runCli(args, undefined, {}, { maxFileBlocks: 1 });
    expectOneLine(failed, /cannot write .*entry-2\.tlog-proof: file too large/);
    expect(readFileSync(file, "utf8")).toBe("previous proof\n");
    expect(readdirSync(tmp)).toEqual(["entry-2.tlog-proof"]);
    const ok = await runCli(args);
    expect(ok.code, ok.stderr).toBe(0);
    expect(readFileSync(file, "utf8")).toMatch(/^c2sp\.org\/tlog-proof@v1\n/);
  });
});
