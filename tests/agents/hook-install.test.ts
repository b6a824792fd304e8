// `maestro hook install` writes each agent's settings (this installation's absolute maestro, anchored matchers, every event, a timeout) into the user's file without losing anything; `maestro hook doctor` says what is wrong.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "./support/maestro-server.ts";
import { runMaestro } from "./support/run-hook.ts";

const BINARY = resolve(import.meta.dirname, "../../bin/maestro");
const CLAUDE_MATCHER = "^(?:Read|Glob|Grep|Write|Edit|NotebookEdit|Bash|PowerShell|Monitor|WebFetch|WebSearch|mcp__.*)$";

describe("maestro hook install / doctor", () => {
  let scratch: string;
  let home: string;
  let project: string;
  let server: TestServer;
  let env: Record<string, string>;
  beforeAll(async () => {
    scratch = mkdtempSync(join(tmpdir(), "maestro-hook-install-"));
    home = join(scratch, "home");
    project = join(scratch, "my project");
    mkdirSync(home);
    mkdirSync(project);
    server = await startTestServer("embedded");
    env = { HOME: home, CODEX_HOME: "", MAESTRO_URL: server.url, MAESTRO_TOKEN: await server.token("agent", "claude-code") };
  });
  afterAll(async () => {
    await server?.close();
    rmSync(scratch, { recursive: true, force: true });
  });

  it("Claude Code, project: merges into settings.json keeping the user's keys and hooks, replaces an npx maestro hook, writes atomically", async () => {
    mkdirSync(join(project, ".claude"));
    const file = join(project, ".claude/settings.json");
    const mine = { matcher: "Write", hooks: [{ type: "command", command: "prettier --write", timeout: 10 }] };
    writeFileSync(
      file,
      JSON.stringify({
        permissions: { allow: ["Bash(npm test)"] },
        model: "opus",
        hooks: {
          PreToolUse: [
            {
              matcher: "Read|Write|Bash",
              hooks: [{ type: "command", command: "npx maestro hook claude-code --runset laptop", timeout: 30 }],
            },
          ],
          PostToolUse: [mine],
          Stop: [{ hooks: [{ type: "command", command: "say done" }] }],
        },
      }),
    );
    const result = await runMaestro(["hook", "install", "claude-code", "--project", "--root", project, "--runset", "laptop"], env);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const command = `${BINARY} hook claude-code --runset laptop --root '${project}' --timeout 30`;
    const ours = (matcher?: string) => ({ ...(matcher ? { matcher } : {}), hooks: [{ type: "command", command, timeout: 30 }] });
    expect(JSON.parse(readFileSync(file, "utf8"))).toEqual({
      permissions: { allow: ["Bash(npm test)"] },
      model: "opus",
      hooks: {
        PreToolUse: [ours(CLAUDE_MATCHER)],
        PostToolUse: [mine, ours(CLAUDE_MATCHER)],
        Stop: [{ hooks: [{ type: "command", command: "say done" }] }],
        SessionStart: [ours()],
        PostToolUseFailure: [ours(CLAUDE_MATCHER)],
      },
    });
    expect(result.stdout).toContain(`wrote ${file}`);
    expect(readdirSync(join(project, ".claude"))).toEqual(["settings.json"]);
    // Installing again changes nothing: our entries are replaced, not duplicated.
    const before = readFileSync(file, "utf8");
    expect((await runMaestro(["hook", "install", "claude-code", "--root", project, "--runset", "laptop"], env)).code).toBe(0);
    expect(readFileSync(file, "utf8")).toBe(before);
  });

  it("Codex, user: writes $CODEX_HOME/hooks.json with SessionStart, PreToolUse and PostToolUse; --json reports it", async () => {
    const codexHome = join(home, ".codex-home");
    const result = await runMaestro(["hook", "install", "codex", "--user", "--runset", "laptop", "--timeout", "20", "--json"], {
      ...env,
      CODEX_HOME: codexHome,
    });
    expect(result.code).toBe(0);
    const command = `${BINARY} hook codex --runset laptop --timeout 20`;
    const matcher = "^(?:Bash|apply_patch|mcp__.*)$";
    expect(JSON.parse(result.stdout)).toEqual({
      file: join(codexHome, "hooks.json"),
      agent: "codex",
      scope: "user",
      events: ["SessionStart", "PreToolUse", "PostToolUse"],
      matcher,
      timeout: 20,
      command,
    });
    expect(JSON.parse(readFileSync(join(codexHome, "hooks.json"), "utf8"))).toEqual({
      hooks: {
        SessionStart: [{ hooks: [{ type: "command", command, timeout: 20 }] }],
        PreToolUse: [{ matcher, hooks: [{ type: "command", command, timeout: 20 }] }],
        PostToolUse: [{ matcher, hooks: [{ type: "command", command, timeout: 20 }] }],
      },
    });
  });

  it("refuses a settings file it cannot read as JSON, writing nothing; a missing --runset is a usage error", async () => {
    const dir = join(scratch, "broken");
    mkdirSync(join(dir, ".claude"), { recursive: true });
    writeFileSync(join(dir, ".claude/settings.json"), "{ // a comment\n}");
    const broken = await runMaestro(["hook", "install", "claude-code", "--root", dir, "--runset", "laptop"], env);
    expect(broken.code).toBe(2);
    expect(broken.stderr).toMatch(/^maestro: .*settings\.json is not a JSON object .*nothing was written\n$/);
    expect(readFileSync(join(dir, ".claude/settings.json"), "utf8")).toBe("{ // a comment\n}");
    const noRunset = await runMaestro(["hook", "install", "claude-code", "--root", dir], env);
    expect(noRunset).toEqual({
      code: 2,
      stdout: "",
      stderr: "maestro: missing --runset (the run-set whose grants the agent works under)\n",
    });
  });

  it("doctor passes on what install wrote, with a token and a running server", async () => {
    const result = await runMaestro(["hook", "doctor", "claude-code", "--project", "--root", project, "--json"], env);
    const report = JSON.parse(result.stdout);
    expect(report.checks.filter((c: { ok: boolean }) => !c.ok)).toEqual([]);
    expect(report.ok).toBe(true);
    expect(result.code).toBe(0);
    expect(report.checks.map((c: { check: string }) => c.check)).toEqual(
      expect.arrayContaining([
        "event SessionStart",
        "event PreToolUse",
        "event PostToolUse",
        "event PostToolUseFailure",
        "token",
        `server ${server.url}`,
      ]),
    );
  });

  it("doctor fails (exit 1) and says what to fix: npx, an unanchored matcher, a missing event, no timeout, no token, server down", async () => {
    const dir = join(scratch, "bad");
    mkdirSync(join(dir, ".claude"), { recursive: true });
    const npx = "npx maestro hook claude-code --runset laptop";
    writeFileSync(
      join(dir, ".claude/settings.json"),
      JSON.stringify({ hooks: { PreToolUse: [{ matcher: "Read|Write|Bash|mcp__.*", hooks: [{ type: "command", command: npx }] }] } }),
    );
    const result = await runMaestro(["hook", "doctor", "claude-code", "--project", "--root", dir], {
      ...env,
      MAESTRO_TOKEN: "",
      MAESTRO_URL: "http://127.0.0.1:9",
    });
    expect(result.code).toBe(1);
    const lines = result.stdout;
    expect(lines).toContain(
      `FAIL  event SessionStart: no maestro hook claude-code handler for SessionStart in ${join(dir, ".claude/settings.json")}\n      fix: maestro hook install claude-code --project (or --user)`,
    );
    expect(lines).toMatch(
      /FAIL {2}program \(PreToolUse, .*\): runs npx: outside this repository "npx maestro" resolves to an unrelated registry package/,
    );
    expect(lines).toMatch(/FAIL {2}timeout \(PreToolUse, .*\): timeout undefined/);
    expect(lines).toMatch(
      /FAIL {2}matcher \(PreToolUse, .*\): Read\|Write\|Bash\|mcp__\.\* misses Glob, Grep, Edit, NotebookEdit, PowerShell, Monitor, WebFetch, WebSearch/,
    );
    expect(lines).toContain("FAIL  token: MAESTRO_TOKEN is not set");
    expect(lines).toMatch(/FAIL {2}server http:\/\/127\.0\.0\.1:9: cannot be reached/);
    expect(lines).toMatch(/\d+ check\(s\) failed\n$/);

    // A matcher naming the right tools but unanchored also fires for TodoWrite and ReadMcpResourceTool.
    writeFileSync(
      join(dir, ".claude/settings.json"),
      JSON.stringify({
        hooks: {
          PreToolUse: [
            {
              matcher: "Read|Glob|Grep|Write|Edit|NotebookEdit|Bash|PowerShell|Monitor|WebFetch|WebSearch|mcp__.*",
              hooks: [{ type: "command", command: `${BINARY} hook claude-code --runset x`, timeout: 30 }],
            },
          ],
        },
      }),
    );
    const loose = await runMaestro(["hook", "doctor", "claude-code", "--project", "--root", dir], env);
    expect(loose.code).toBe(1);
    expect(loose.stdout).toMatch(/FAIL {2}matcher \(PreToolUse, .*\): .* also matches TodoWrite, .*ReadMcpResourceTool \(unanchored\)/);
    expect(loose.stdout).toMatch(/ok {4}program \(PreToolUse, .*\): .*bin\/maestro \(this installation\)/);
    // The hook acts as claude-code (its default); a token for another subject cannot act as it.
    const other = await runMaestro(["hook", "doctor", "claude-code", "--project", "--root", dir], {
      ...env,
      MAESTRO_TOKEN: await server.token("agent", "coder"),
    });
    expect(other.stdout).toContain(
      "FAIL  agent claude-code: the hook acts as agent claude-code but MAESTRO_TOKEN is for coder: the server refuses or misattributes its calls\n      fix: maestro token issue --role agent --sub claude-code, or install with --agent coder",
    );
    // Bound to claude-code by its maestro_agents claim, a token of another subject may act as it.
    const bound = await runMaestro(["hook", "doctor", "claude-code", "--project", "--root", dir], {
      ...env,
      MAESTRO_TOKEN: await server.token("agent", "coder", { agents: ["claude-code"] }),
    });
    expect(bound.stdout).toContain("ok    agent claude-code: the token may act as it");
    expect(existsSync(join(dir, ".claude/settings.json"))).toBe(true);
  });
});
