// The `maestro waiver|hold|breakglass` commands against a real server over HTTP: --json output, one error line and exit ≠ 0 on failure.
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { serve } from "@hono/node-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { configFromEnv, issueToken, type Role, type RunningServer, startServer } from "../../server/index.ts";
import { createTestStore, type TestStoreConfig } from "../support/test-stores.ts";

const MAIN = fileURLToPath(new URL("../../cli/main.ts", import.meta.url));

describe("maestro waiver / hold / breakglass CLI", () => {
  let store: TestStoreConfig;
  let server: RunningServer;
  let url: string;
  const tokens: Partial<Record<string, string>> = {};

  beforeAll(async () => {
    store = await createTestStore("embedded");
    server = await startServer(configFromEnv({ dataDir: store.dataDir, port: 0, host: "127.0.0.1" }, {}), serve);
    url = `http://127.0.0.1:${server.port}`;
    const key = { kid: server.ctx.ledger.keyring.token.kid, privateKey: server.ctx.ledger.keyring.token.privateKey };
    for (const [role, sub] of [
      ["engineer", "eng-1"],
      ["engineer2", "eng-2"],
      ["security", "sec-1"],
      ["admin", "adm-1"],
      ["auditor", "aud-1"],
    ] as const) {
      tokens[role] = await issueToken(key, role.replace(/\d$/, "") as Role, sub, 3600);
    }
  });
  afterAll(async () => {
    await server?.close();
    await store?.cleanup();
  });

  function maestro(
    args: string[],
    role: string | null,
    env: Record<string, string> = {},
  ): Promise<{ code: number; stdout: string; stderr: string }> {
    const withEnv = { ...process.env, MAESTRO_URL: url, ...(role ? { MAESTRO_TOKEN: tokens[role]! } : {}), ...env };
    if (!role) delete withEnv.MAESTRO_TOKEN;
    return new Promise((resolve) => {
      execFile(process.execPath, [MAIN, ...args], { env: withEnv }, (err, stdout, stderr) => {
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
      });
    });
  }

  it("runs the waiver procedure: request, approve, list, revoke", async () => {
    const requested = await maestro(
      [
        "waiver",
        "request",
        "--capability",
        "repo.write",
        "--resource",
        "src/**",
        "--agent",
        "coder",
        "--waives",
        "no_grant",
        "--justification",
        "incident INC-9 hotfix",
        "--duration",
        "2h",
        "--ticket",
        "INC-9",
        "--json",
      ],
      "engineer",
    );
    expect(requested.code, requested.stderr).toBe(0);
    // Which server answered, and why that one: on stderr, so --json output stays clean.
    expect(requested.stderr).toBe(`using ${url} (MAESTRO_URL)\n`);
    const waiver = JSON.parse(requested.stdout);
    expect(waiver).toMatchObject({ state: "pending", durationSeconds: 7200, agents: ["coder"], ticket: "INC-9" });

    const self = await maestro(["waiver", "approve", waiver.id], "engineer");
    expect(self.code).not.toBe(0);
    expect(self.stderr.trim().split("\n")).toHaveLength(1);
    expect(self.stderr).toContain("403 forbidden");

    const approved = await maestro(["waiver", "approve", waiver.id, "--comment", "ok", "--json"], "security");
    expect(approved.code, approved.stderr).toBe(0);
    expect(JSON.parse(approved.stdout).state).toBe("active");

    const listed = await maestro(["waiver", "list", "--state", "active", "--json"], "auditor");
    expect(JSON.parse(listed.stdout).waivers.map((w: any) => w.id)).toEqual([waiver.id]);
    const human = await maestro(["waiver", "list"], "auditor");
    expect(human.stdout).toContain(`${waiver.id}  active`);
    expect(human.stdout).toMatch(/expires in (1 hour and 59 minutes|2 hours) \(/);
    // The requester follows their own waiver; another engineer sees none of it.
    const own = await maestro(["waiver", "list", "--json"], "engineer");
    expect(own.code, own.stderr).toBe(0);
    expect(JSON.parse(own.stdout).waivers.map((w: any) => w.id)).toEqual([waiver.id]);
    const other = await maestro(["waiver", "list", "--json", "--token", tokens.engineer2!], null);
    expect(JSON.parse(other.stdout).waivers).toEqual([]);

    const revoked = await maestro(["waiver", "revoke", waiver.id, "--reason", "incident closed", "--token", tokens.admin!], null);
    expect(revoked.code, revoked.stderr).toBe(0);
    expect(revoked.stdout).toMatch(/revoked at \S+ by adm-1: incident closed/);
    const twice = await maestro(["waiver", "revoke", waiver.id, "--reason", "again"], "admin");
    expect(twice.code).toBe(1);
    expect(twice.stderr.trim()).toMatch(/^maestro: 409 conflict: waiver .* is already revoked$/);
  });

  it("names the field on bad input, and the policy maximum on a too-long duration", async () => {
    const tooLong = await maestro(
      [
        "waiver",
        "request",
        "--capability",
        "secrets.read",
        "--resource",
        "prod/*",
        "--runset",
        "rs",
        "--waives",
        "no_grant",
        "--justification",
        "need the prod key now",
        "--duration",
        "2h",
      ],
      "engineer",
    );
    expect(tooLong.code).toBe(1);
    expect(tooLong.stderr).toContain("maximum of 3600 seconds");
    expect(tooLong.stderr).toContain("(field /durationSeconds)");
    const unscoped = await maestro(
      [
        "waiver",
        "request",
        "--capability",
        "repo.write",
        "--resource",
        "x",
        "--waives",
        "no_grant",
        "--justification",
        "j".repeat(20),
        "--duration",
        "1h",
      ],
      "engineer",
    );
    expect(unscoped.code).toBe(2);
    expect(unscoped.stderr).toContain("--agent or --runset");
  });

  it("runs the hold and break-glass procedures", async () => {
    const placed = await maestro(["hold", "place", "--repository", "acme/app", "--reason", "audit sampling", "--json"], "auditor");
    expect(placed.code, placed.stderr).toBe(0);
    const hold = JSON.parse(placed.stdout);
    const holds = (await maestro(["hold", "list"], "auditor")).stdout;
    expect(holds.split("\n")[0]).toMatch(/^ID +STATE +SCOPE +PLACED BY +REASON$/);
    expect(holds).toContain(`${hold.id}  active  repository acme/app  aud-1      audit sampling`);
    expect((await maestro(["hold", "clear", hold.id, "--reason", "sampling done"], "auditor")).code).toBe(0);
    expect(JSON.parse((await maestro(["hold", "list", "--state", "active", "--json"], "auditor")).stdout).holds).toEqual([]);

    const opened = await maestro(
      [
        "breakglass",
        "open",
        "--scope",
        "agent:deployer",
        "--counter-claim",
        "prod outage, deploy agent must push the fix",
        "--control",
        "pairing on call",
        "--review-in",
        "24h",
        "--duration",
        "30m",
        "--json",
      ],
      "admin",
    );
    expect(opened.code, opened.stderr).toBe(0);
    const bg = JSON.parse(opened.stdout);
    expect(bg).toMatchObject({ state: "open", active: true, scope: { type: "agent", id: "deployer" } });
    expect(bg.ledger[0].kind).toBe("breakglass.opened");
    const reviewed = await maestro(
      ["breakglass", "review", bg.id, "--finding", "fix matched the incident", "--verdict", "justified", "--json"],
      "security",
    );
    expect(JSON.parse(reviewed.stdout).state).toBe("reviewed");
    expect((await maestro(["breakglass", "list"], "auditor")).stdout).toContain(`${bg.id}  reviewed`);
  });

  it("fails with one readable line when the token or the server is missing", async () => {
    const noToken = await maestro(["hold", "list"], null);
    expect(noToken.code).toBe(2);
    expect(noToken.stderr).toMatch(/^maestro: missing --token/);
    const down = await maestro(["hold", "list", "--url", "http://127.0.0.1:9"], "auditor");
    expect(down.code).toBe(1);
    expect(down.stderr.trim().split("\n")).toHaveLength(1);
    expect(down.stderr).toContain("cannot reach the maestro server at http://127.0.0.1:9");
  });

  it("token issue refuses a subject that mixes scripts or hides a character before creating any key; MAESTRO_SUBJECT_CHECK=off lets the first through", async () => {
    const dir = await mkdtemp(join(tmpdir(), "maestro-sub-"));
    try {
      for (const sub of ["ѕam", "sam\u200B"]) {
        const refused = await maestro(["token", "issue", "--role", "security", "--sub", sub, "--data-dir", dir], null);
        expect(refused.code, sub).not.toBe(0);
        expect(refused.stderr.trim().split("\n"), sub).toHaveLength(1);
        expect(refused.stderr, sub).toMatch(/subject refused/);
      }
      expect(existsSync(join(dir, "keys"))).toBe(false);
      const lax = await maestro(["token", "issue", "--role", "security", "--sub", "ѕam", "--data-dir", dir], null, {
        MAESTRO_SUBJECT_CHECK: "off",
      });
      expect(lax.code, lax.stderr).toBe(0);
      expect(lax.stdout.trim()).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("issues agent tokens bound with --agents and --runsets that the server holds to them", async () => {
    const issued = await maestro(
      [
        "token",
        "issue",
        "--role",
        "agent",
        "--sub",
        "runner",
        "--agents",
        "coder,reviewer",
        "--runsets",
        "rs-cli",
        "--data-dir",
        store.dataDir,
        "--json",
      ],
      null,
    );
    expect(issued.code, issued.stderr).toBe(0);
    const { token, agents, runsets } = JSON.parse(issued.stdout);
    expect({ agents, runsets }).toEqual({ agents: ["coder", "reviewer"], runsets: ["rs-cli"] });
    const mediate = async (agent: string, runset = "rs-cli") => {
      const res = await fetch(`${url}/v1/mediate`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify({
          runset,
          agent,
          session: `cli-${agent}-${runset}`,
          tool: "read_file",
          capability: "repo.read",
          resource: "a.ts",
          args: {},
        }),
      });
      return { status: res.status, body: (await res.json()) as any };
    };
    expect((await mediate("reviewer")).status).toBe(200);
    expect((await mediate("runner")).body.error.code).toBe("agent_mismatch");
    expect((await mediate("coder", "rs-other")).body.error.code).toBe("runset_mismatch");
    const refused = await maestro(
      ["token", "issue", "--role", "security", "--sub", "sam", "--agents", "coder", "--data-dir", store.dataDir],
      null,
    );
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/^maestro: .*--role agent only/);
  });
});
