// The CLI a newcomer meets against a real server: runset register (token convention, warnings), mediate, release create|publish|list|show, evidence export via MAESTRO_URL, completion, policy test.
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { serve } from "@hono/node-server";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { configFromEnv, issueToken, type Role, type RunningServer, startServer } from "../../server/index.ts";
import { createTestStore, type TestStoreConfig } from "../support/test-stores.ts";

// Each step starts a CLI process; on a busy 2-core machine the server's start alone has taken over a minute.
vi.setConfig({ testTimeout: 180_000, hookTimeout: 180_000 });

const MAIN = fileURLToPath(new URL("../../cli/main.ts", import.meta.url));

const RUNSET = `version: 1
name: ship-app
agents:
  - name: coder
    goal: fix the login bug
    provider: anthropic
    model: claude-sonnet-4-5
    grants:
      - { capability: repo.read, resource: "**" }
      - { capability: network.egress, resource: "*" }
  - name: rel-mgr
    goal: publish releases
    provider: anthropic
    model: claude-sonnet-4-5
    grants:
      - { capability: release.publish, resource: "acme/app@*" }
`;

describe("maestro runset / mediate / release CLI", () => {
  let store: TestStoreConfig;
  let server: RunningServer;
  let url: string;
  let dir: string;
  let tokens: { security: string; releaser: string; agent: string; auditor: string };

  beforeAll(async () => {
    store = await createTestStore("embedded");
    server = await startServer(configFromEnv({ dataDir: store.dataDir, port: 0, host: "127.0.0.1" }, {}), serve);
    url = `http://127.0.0.1:${server.port}`;
    const key = { kid: server.ctx.ledger.keyring.token.kid, privateKey: server.ctx.ledger.keyring.token.privateKey };
    const token = (role: Role, sub: string) => issueToken(key, role, sub, 3600);
    tokens = {
      security: await token("security", "sec-1"),
      releaser: await token("security", "rel-mgr"),
      agent: await token("agent", "coder"),
      auditor: await token("auditor", "aud-1"),
    };
    dir = mkdtempSync(join(tmpdir(), "maestro-release-cli-"));
    writeFileSync(join(dir, "runset.yaml"), RUNSET);
    writeFileSync(join(dir, "app-1.2.0.tgz"), "the artifact bytes\n");
    writeFileSync(
      join(dir, "package-lock.json"),
      JSON.stringify({
        name: "app",
        version: "1.2.0",
        lockfileVersion: 3,
        packages: { "": { name: "app", version: "1.2.0" }, "node_modules/left-pad": { version: "1.3.0" } },
      }),
    );
  });
  afterAll(async () => {
    await server?.close();
    await store?.cleanup();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  function maestro(
    args: string[],
    token: string | null,
    env: Record<string, string> = {},
  ): Promise<{ code: number; stdout: string; stderr: string }> {
    const withEnv: Record<string, string | undefined> = { ...process.env, MAESTRO_URL: url, MAESTRO_TOKEN: token ?? undefined, ...env };
    for (const name of ["MAESTRO_ADMIN_TOKEN", "DATABASE_URL", "MAESTRO_DATA_DIR"]) if (!(name in env)) delete withEnv[name];
    if (token === null) delete withEnv.MAESTRO_TOKEN;
    return new Promise((resolve) => {
      execFile(process.execPath, [MAIN, ...args], { env: withEnv as NodeJS.ProcessEnv, cwd: dir }, (err, stdout, stderr) => {
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
      });
    });
  }

  it("registers a run-set with --token, warns of a grant that cannot match, and keeps --admin-token working as deprecated", async () => {
    const registered = await maestro(["runset", "register", "runset.yaml"], tokens.security);
    expect(registered.code, registered.stderr).toBe(0);
    expect(registered.stdout).toMatch(/^registered run-set ship-app \(ledger index \d+\); 1 grant can never match/);
    expect(registered.stderr).toMatch(/^warning: agent coder: network\.egress grant "\*" .* use "\*\*"/m);

    const old = await maestro(["runset", "register", "runset.yaml", "--json"], null, { MAESTRO_ADMIN_TOKEN: tokens.security });
    expect(old.code, old.stderr).toBe(0);
    expect(old.stderr).toContain("MAESTRO_ADMIN_TOKEN is deprecated");
    expect(JSON.parse(old.stdout).warnings).toHaveLength(1);
    const flag = await maestro(["runset", "register", "runset.yaml", "--admin-token", tokens.security], null);
    expect(flag.code, flag.stderr).toBe(0);
    expect(flag.stderr).toContain("--admin-token is deprecated");
  });

  it("mediates one call and prints the decision and its reasons", async () => {
    const denied = await maestro(
      [
        "mediate",
        "--runset",
        "ship-app",
        "--agent",
        "coder",
        "--session",
        "s-1",
        "--capability",
        "network.egress",
        "--resource",
        "docs.example.com",
      ],
      tokens.agent,
    );
    expect(denied.code, denied.stderr).toBe(0);
    expect(denied.stdout).toMatch(/^deny: network\.egress on docs\.example\.com for agent coder in run-set ship-app\n {2}no_grant: /);
    expect(denied.stdout).toMatch(/decision [0-9a-f-]{36}, ledger index \d+\n$/);
    const allowed = await maestro(
      [
        "mediate",
        "--runset",
        "ship-app",
        "--agent",
        "coder",
        "--session",
        "s-1",
        "--capability",
        "repo.read",
        "--resource",
        "src/a.ts",
        "--arg",
        "path=src/a.ts",
        "--json",
      ],
      tokens.agent,
    );
    expect(JSON.parse(allowed.stdout)).toMatchObject({ decision: "allow", allow: true });
    const bad = await maestro(
      ["mediate", "--runset", "ship-app", "--agent", "coder", "--session", "s-1", "--capability", "repo.rd", "--resource", "x"],
      tokens.agent,
    );
    expect(bad.code).toBe(2);
  });

  it("creates a release from a file, a digest and a package-lock, says who may publish it, publishes, lists and shows it", async () => {
    const digest = "ab".repeat(32);
    const created = await maestro(
      [
        "release",
        "create",
        "--id",
        "app-1.2.0",
        "--repository",
        "acme/app",
        "--version",
        "1.2.0",
        "--artifact",
        "app-1.2.0.tgz",
        "--artifact",
        `app.sig=sha256:${digest}`,
        "--runset",
        "ship-app",
        "--sbom",
        "package-lock.json",
      ],
      tokens.security,
    );
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout).toContain("created release app-1.2.0: acme/app 1.2.0, draft");
    expect(created.stdout).toContain("2 artifacts, SBOM CycloneDX 1.7 (package-lock)");

    const blocked = await maestro(["release", "publish", "app-1.2.0"], tokens.security);
    expect(blocked.code).toBe(1);
    expect(blocked.stderr).toMatch(/^maestro: 409 release_blocked: .*no_grant.*agent "sec-1".*release\.publish/);

    const published = await maestro(["release", "publish", "app-1.2.0"], tokens.releaser);
    expect(published.code, published.stderr).toBe(0);
    expect(published.stdout).toMatch(/^published release app-1\.2\.0: acme\/app 1\.2\.0, published at \S+ by rel-mgr/);

    const list = await maestro(["release", "list"], tokens.auditor);
    expect(list.stdout).toMatch(/^ID +REPOSITORY +VERSION +STATE +ARTIFACTS +CREATED\napp-1\.2\.0 +acme\/app +1\.2\.0 +published +2 /);
    const show = await maestro(["release", "show", "app-1.2.0"], tokens.auditor);
    expect(show.stdout).toMatch(new RegExp(`^ARTIFACT +SHA-256\napp-1\\.2\\.0\\.tgz  [0-9a-f]{64}\napp\\.sig {8}${digest}$`, "m"));
    expect(show.stdout).toContain("maestro evidence verify");
    expect(JSON.parse((await maestro(["release", "list", "--json"], tokens.auditor)).stdout).releases).toHaveLength(1);
  });

  it("exports evidence from the server MAESTRO_URL names and says so", async () => {
    const exported = await maestro(["evidence", "export", "app-1.2.0", "-o", "e.json"], tokens.auditor);
    expect(exported.code, exported.stderr).toBe(0);
    expect(exported.stderr).toBe(`reading ${url} (MAESTRO_URL)\n`);
    const missing = await maestro(["evidence", "export", "app-9", "-o", "e9.json"], tokens.auditor);
    expect(missing.stderr).toMatch(/^maestro: GET http:\/\/127\.0\.0\.1:\d+\/v1\/releases\/app-9\/bundle \(MAESTRO_URL\): HTTP 404/);
    const verified = await maestro(["ledger", "verify", "--skip-proofs"], tokens.auditor);
    expect(verified.code, verified.stderr).toBe(0);
    expect(verified.stderr).toContain(`reading ${url} (MAESTRO_URL)`);
    expect(verified.stdout).toMatch(/ledger verified: \d+ entries, root \S+, (1 signed checkpoint matches|\d+ signed checkpoints match)/);
    // A store named by flag wins over MAESTRO_URL; a missing one is refused and named.
    const flagged = await maestro(["ledger", "verify", "--data-dir", join(dir, "nowhere")], tokens.auditor);
    expect(flagged.code).toBe(2);
    expect(flagged.stderr).toContain("nowhere");
  });

  it("prints completion scripts for bash, zsh and fish that know the commands and their flags", async () => {
    const bash = await maestro(["completion", "bash"], null);
    expect(bash.code, bash.stderr).toBe(0);
    expect(bash.stdout).toContain('release) COMPREPLY=($(compgen -W "create publish list show"');
    expect(bash.stdout).toMatch(/"release create"\) flags="[^"]*--artifact[^"]*--sbom/);
    // bash itself completes "maestro release create --sb" to --sbom with the script loaded.
    const completed = await new Promise<string>((resolve) =>
      execFile(
        "bash",
        ["-c", `${bash.stdout}\nCOMP_WORDS=(maestro release create --sb); COMP_CWORD=3; _maestro; echo "\${COMPREPLY[*]}"`],
        (_e, out) => resolve(out),
      ),
    );
    expect(completed.trim()).toBe("--sbom");
    expect((await maestro(["completion", "zsh"], null)).stdout).toContain("bashcompinit");
    expect((await maestro(["completion", "fish"], null)).stdout).toContain("complete -c maestro");
    expect((await maestro(["completion", "tcsh"], null)).code).toBe(2);
  });
});
