// `maestro hook claude-code` / `maestro hook codex` as the coding agents run them: JSON on stdin, decision on stdout, exit 2 when Maestro cannot decide.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { STORE_KINDS } from "../support/test-stores.ts";
import { runHook } from "./support/run-hook.ts";
import { startTestServer, type TestServer } from "./support/maestro-server.ts";

const FIXTURES = join(import.meta.dirname, "fixtures/hooks");
const fixture = (name: string) => readFileSync(join(FIXTURES, name), "utf8");


describe.each(STORE_KINDS)("coding-agent hooks (%s store)", (kind) => {
  let server: TestServer;
  let env: Record<string, string>;
  let stateDir: string;
  beforeAll(async () => {
    server = await startTestServer(kind);
    stateDir = mkdtempSync(join(tmpdir(), "maestro-hook-state-"));
    await server.register("laptop", [
      { agent: "claude-code", capability: "repo.read", resource: "**" },
      { agent: "claude-code", capability: "repo.write", resource: "src/**" },
      // repo.write is medium risk, so a grant with approval "required" makes the call require_approval.
      { agent: "claude-code", capability: "repo.write", resource: "docs/**", approval: "required" },
      { agent: "claude-code", capability: "network.egress", resource: "*.example.com" },
      { agent: "codex", capability: "tests.run", resource: "npm test" },
      { agent: "codex", capability: "repo.write", resource: "src/**" },
    ]);
    env = { MAESTRO_URL: server.url, MAESTRO_TOKEN: "", MAESTRO_RUNSET: "laptop", MAESTRO_HOOK_STATE_DIR: stateDir };
  });
  afterAll(async () => {
    await server?.close();
    rmSync(stateDir, { recursive: true, force: true });
  });

  const decisionsFor = async (session: string) => (await server.events("decision")).filter((e) => e.payload.call.session === session);

  it("Claude Code: allow, then the PostToolUse outcome lands on the same decision", async () => {
    const e = { ...env, MAESTRO_TOKEN: await server.token("agent", "claude-code") };
    const pre = await runHook("claude-code", fixture("claude-pre-read.json"), e);
    expect(pre.code).toBe(0);
    expect(JSON.parse(pre.stdout)).toEqual({
      hookSpecificOutput: { hookEventName: "PreToolUse", permissionDecision: "allow", permissionDecisionReason: expect.stringMatching(/^Maestro: granted: /) },
    });
    const post = await runHook("claude-code", fixture("claude-post-read.json"), e);
    expect(post.code).toBe(0);
    const [decision] = await decisionsFor("3f1c2a9e-5b7d-4e2a-9c1f-0a1b2c3d4e5f");
    expect(decision.payload.call).toMatchObject({ tool: "Read", capability: "repo.read", resource: "src/index.ts" });
    const outcome = (await server.events("outcome")).find((o) => o.subject.id === decision.subject.id);
    expect(outcome.payload).toMatchObject({ status: "ok", summary: "Read on src/index.ts: ok" });
  });

  it("Claude Code: deny with the policy's reason; require_approval becomes ask; unmapped MCP tools are denied", async () => {
    const e = { ...env, MAESTRO_TOKEN: await server.token("agent", "claude-code") };
    const write = JSON.parse((await runHook("claude-code", fixture("claude-pre-write-outside-grant.json"), e)).stdout);
    expect(write.hookSpecificOutput).toMatchObject({ permissionDecision: "deny", permissionDecisionReason: expect.stringMatching(/no_grant.*repo\.write on \.github\/workflows\/release\.yml/) });
    const edit = JSON.parse((await runHook("claude-code", fixture("claude-pre-edit-needs-approval.json"), e)).stdout);
    expect(edit.hookSpecificOutput).toMatchObject({ permissionDecision: "ask", permissionDecisionReason: expect.stringMatching(/approval_required/) });
    const mcp = JSON.parse((await runHook("claude-code", fixture("claude-pre-mcp-unmapped.json"), e)).stdout);
    expect(mcp.hookSpecificOutput).toMatchObject({ permissionDecision: "deny", permissionDecisionReason: expect.stringMatching(/not in the tool map/) });
  });

  it("Claude Code: a WebFetch outcome taints the session, so the next fetch is denied", async () => {
    const e = { ...env, MAESTRO_TOKEN: await server.token("agent", "claude-code") };
    expect(JSON.parse((await runHook("claude-code", fixture("claude-pre-webfetch.json"), e)).stdout).hookSpecificOutput.permissionDecision).toBe("allow");
    expect((await runHook("claude-code", fixture("claude-post-webfetch.json"), e)).code).toBe(0);
    const again = JSON.parse((await runHook("claude-code", fixture("claude-pre-webfetch-again.json"), e)).stdout);
    expect(again.hookSpecificOutput).toMatchObject({ permissionDecision: "deny", permissionDecisionReason: expect.stringMatching(/session_tainted/) });
  });

  it("Codex sends the same JSON: Bash is mediated, its failed run is recorded as error, a patch is mediated per file", async () => {
    const e = { ...env, MAESTRO_TOKEN: await server.token("agent", "codex") };
    const bash = await runHook("codex", fixture("codex-pre-bash.json"), e);
    expect(JSON.parse(bash.stdout).hookSpecificOutput).toMatchObject({ hookEventName: "PreToolUse", permissionDecision: "allow" });
    expect((await runHook("codex", fixture("codex-post-bash.json"), e)).code).toBe(0);
    const patch = JSON.parse((await runHook("codex", fixture("codex-pre-apply-patch.json"), e)).stdout);
    expect(patch.hookSpecificOutput).toMatchObject({ permissionDecision: "deny", permissionDecisionReason: expect.stringMatching(/\.github\/workflows\/x\.yml/) });
    const decisions = await decisionsFor("0199c2d4-aaaa-7bbb-8ccc-dddddddddddd");
    expect(decisions.map((d) => [d.payload.call.resource, d.payload.decision])).toEqual([
      ["npm test", "allow"],
      ["src/add.js", "allow"],
      [".github/workflows/x.yml", "deny"],
    ]);
    const outcome = (await server.events("outcome")).find((o) => o.subject.id === decisions[0].subject.id);
    expect(outcome.payload.status).toBe("error");
  });

  it("fails closed with exit 2 when the server is down, answers badly, or the input is not hook JSON", async () => {
    const down = await runHook("claude-code", fixture("claude-pre-read.json"), { ...env, MAESTRO_URL: "http://127.0.0.1:9", MAESTRO_TOKEN: "t" });
    expect(down.code).toBe(2);
    expect(down.stdout).toBe("");
    expect(down.stderr).toMatch(/blocked, Maestro could not decide: .*cannot be reached/);

    const liar: Server = createServer((_req, res) => res.writeHead(200, { "content-type": "application/json" }).end('{"decision":"probably"}'));
    await new Promise<void>((resolve) => liar.listen(0, "127.0.0.1", resolve));
    try {
      const bad = await runHook("claude-code", fixture("claude-pre-read.json"), { ...env, MAESTRO_URL: `http://127.0.0.1:${(liar.address() as AddressInfo).port}`, MAESTRO_TOKEN: "t" });
      expect(bad.code).toBe(2);
      expect(bad.stderr).toMatch(/unknown decision "probably"/);
    } finally {
      await new Promise<void>((resolve) => liar.close(() => resolve()));
    }

    const garbage = await runHook("claude-code", "not json", { ...env, MAESTRO_TOKEN: "t" });
    expect(garbage.code).toBe(2);
    const noToken = await runHook("claude-code", fixture("claude-pre-read.json"), { ...env, MAESTRO_TOKEN: "" });
    expect(noToken.code).toBe(2);
    expect(noToken.stderr).toMatch(/MAESTRO_TOKEN/);
    const wrongToken = await runHook("claude-code", fixture("claude-pre-read.json"), { ...env, MAESTRO_TOKEN: "not-a-jwt" });
    expect(wrongToken.code).toBe(2);
  });
});
