// `maestro serve --workers 2` on PostgreSQL: two processes share the port and the ledger without forking it.
import { spawn } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { issueToken } from "../../server/index.ts";
import { keyPath, loadOrCreateKey } from "../../ledger/keys/key-files.ts";
import { createTestStore, type TestStoreConfig } from "../support/test-stores.ts";
import { join } from "node:path";
import { present } from "../../common/present.ts";

const cli = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  spawn(process.execPath, ["cli/main.ts", ...args], {
    env: { ...process.env, DATABASE_URL: "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });

function run(args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    const child = cli(args);
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    child.on("exit", (code) => resolve({ code: code ?? -1, out }));
  });
}

describe.skipIf(!process.env.DATABASE_URL)("serve --workers (PostgreSQL only)", () => {
  let store: TestStoreConfig;
  let server: ReturnType<typeof cli>;
  let base: string;

  beforeAll(async () => {
    store = await createTestStore("postgres");
    server = cli(["serve", "--database-url", store.databaseUrl!, "--data-dir", store.dataDir, "--port", "0", "--workers", "2"]);
    base = await new Promise<string>((resolve, reject) => {
      let err = "";
      server.stderr!.on("data", (d: Buffer) => {
        err += d;
        const m = /listening on (http:\/\/\S+)/.exec(err);
        if (m) resolve(present(m[1], "the listening URL"));
      });
      server.once("exit", (code) => reject(new Error(`serve exited ${code}: ${err}`)));
    });
  }, 60_000);
  afterAll(async () => {
    if (server.exitCode === null) await new Promise((r) => (server.once("exit", r), server.kill("SIGTERM")));
    await store.cleanup();
  });

  it("decides 60 concurrent calls with distinct ledger indexes, and the ledger verifies afterwards", async () => {
    const key = await loadOrCreateKey("token", keyPath(join(store.dataDir, "keys"), "token"));
    const tk = (role: "agent" | "security") => issueToken({ kid: key.kid, privateKey: key.privateKey }, role, `${role}-1`, 600);
    const post = (path: string, token: string, body: unknown) =>
      fetch(`${base}${path}`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    expect(
      (await post("/v1/runsets", await tk("security"), { name: "rs", grants: [{ agent: "a", capability: "repo.read", resource: "**" }] }))
        .status,
    ).toBe(201);
    // One runner token for agent "a": both workers see the four sessions opened at once by it, and claim each once.
    const agent = await issueToken({ kid: key.kid, privateKey: key.privateKey }, "agent", "agent-1", 600, undefined, { agents: ["a"] });
    const answers = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        post("/v1/mediate", agent, {
          runset: "rs",
          agent: "a",
          session: `s${i % 4}`,
          tool: "read",
          capability: "repo.read",
          resource: `f${i}`,
          args: {},
        }).then((r) => r.json() as Promise<{ allow: boolean; ledgerIndex: number }>),
      ),
    );
    expect(answers.every((a) => a.allow)).toBe(true);
    expect(new Set(answers.map((a) => a.ledgerIndex)).size).toBe(60);
    await new Promise((r) => (server.once("exit", r), server.kill("SIGTERM")));
    const verify = await run(["ledger", "verify", "--database-url", store.databaseUrl!, "--data-dir", store.dataDir, "--json", "--quiet"]);
    expect(verify.code, verify.out).toBe(0);
  }, 60_000);

  it("refuses --workers on the embedded store with one readable line", async () => {
    const res = await run(["serve", "--data-dir", store.dataDir, "--workers", "2"]);
    expect(res.code).toBe(2);
    expect(res.out.trim()).toBe("maestro: --workers needs PostgreSQL (--database-url): the embedded store is single-process");
  });
});
