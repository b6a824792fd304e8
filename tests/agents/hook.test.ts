// `maestro hook claude-code` / `maestro hook codex` as the agents run them, on recorded payloads of every event and tool: the exact stdout, stderr and exit status each agent needs.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SECRETS } from "../fixtures/content/secret-corpus.ts";
import { STORE_KINDS } from "../support/test-stores.ts";
import { startTestServer, type TestServer } from "./support/maestro-server.ts";
import { runHook } from "./support/run-hook.ts";

const FIXTURES = join(import.meta.dirname, "fixtures/hooks");
const fixture = (name: string) => readFileSync(join(FIXTURES, name), "utf8");
const withSession = (name: string, session: string) => JSON.stringify({ ...JSON.parse(fixture(name)), session_id: session });
const stripe = SECRETS.find((s) => s.name === "Stripe live secret key")!;
const awsIni = SECRETS.find((s) => s.name === "AWS secret access key")!;
const NOTHING = { code: 0, stdout: "", stderr: "" };
const deny = (reason: string) => ({
  code: 0,
  stderr: "",
  stdout: `${JSON.stringify({ hookSpecificOutput: { hookEventName: "PreToolUse", permissionDecision: "deny", permissionDecisionReason: `Maestro: ${reason}` } })}\n`,
});

describe.each(STORE_KINDS)("coding-agent hooks (%s store)", (kind) => {
  let server: TestServer;
  let env: Record<string, string>;
  let claude: Record<string, string>;
  let codex: Record<string, string>;
  let stateDir: string;
  let mapFile: string;
  beforeAll(async () => {
    server = await startTestServer(kind);
    stateDir = mkdtempSync(join(tmpdir(), "maestro-hook-state-"));
    await server.register("laptop", [
      { agent: "claude-code", capability: "repo.read", resource: "**" },
      { agent: "claude-code", capability: "repo.write", resource: "src/**" },
      // repo.write is medium risk, so a grant with approval "required" makes the call require_approval.
      { agent: "claude-code", capability: "repo.write", resource: "docs/**", approval: "required" },
      { agent: "claude-code", capability: "network.egress", resource: "*.example.com" },
      { agent: "claude-code", capability: "tests.run", resource: "npm test" },
      { agent: "codex", capability: "tests.run", resource: "npm test" },
      { agent: "codex", capability: "repo.write", resource: "src/**" },
      { agent: "codex", capability: "repo.write", resource: "docs/**", approval: "required" },
      { agent: "codex", capability: "repo.read", resource: "src/**" },
    ]);
    env = {
      MAESTRO_URL: server.url,
      MAESTRO_TOKEN: "",
      MAESTRO_RUNSET: "laptop",
      MAESTRO_HOOK_STATE_DIR: stateDir,
      MAESTRO_HOOK_ALLOW: "",
    };
    claude = { ...env, MAESTRO_TOKEN: await server.token("agent", "claude-code") };
    codex = { ...env, MAESTRO_TOKEN: await server.token("agent", "codex") };
    mapFile = join(stateDir, "codex-map.yaml");
    writeFileSync(mapFile, 'tools:\n  mcp__fs__read_text_file: { capability: repo.read, resource: "{path|relative}" }\n');
    for (const session of ["3f1c2a9e-5b7d-4e2a-9c1f-0a1b2c3d4e5f", "7a7a7a7a-1111-4222-8333-944444444444"]) {
      expect(await runHook("claude-code", withSession("claude-session-start.json", session), claude)).toEqual(NOTHING);
    }
    expect(await runHook("codex", fixture("codex-session-start.json"), codex)).toEqual(NOTHING);
  });
  afterAll(async () => {
    await server?.close();
    rmSync(stateDir, { recursive: true, force: true });
  });

  const decisionsFor = async (session: string) => (await server.events("decision")).filter((e) => e.payload.call.session === session);
  const reasonOf = (event: any) =>
    event.payload.reasons.map((r: { code: string; message: string }) => `${r.code}: ${r.message}`).join("; ");
  const lastDecision = async (session: string) => (await decisionsFor(session)).at(-1);

  it("Claude Code, narrow (default): an allow prints nothing, so Claude Code's own permission settings still apply; the outcome lands on the decision", async () => {
    expect(await runHook("claude-code", fixture("claude-pre-read.json"), claude)).toEqual(NOTHING);
    expect(await runHook("claude-code", fixture("claude-post-read.json"), claude)).toEqual(NOTHING);
    const decision = await lastDecision("3f1c2a9e-5b7d-4e2a-9c1f-0a1b2c3d4e5f");
    expect(decision.payload.call).toMatchObject({ tool: "Read", capability: "repo.read", resource: "src/index.ts" });
    const outcome = (await server.events("outcome")).find((o) => o.subject.id === decision.subject.id);
    expect(outcome.payload).toMatchObject({ status: "ok", summary: "Read on src/index.ts: ok" });
  });

  it("Claude Code, authoritative: an allow is permissionDecision allow with the policy's reason", async () => {
    const result = await runHook("claude-code", fixture("claude-pre-bash.json"), claude, ["--allow", "authoritative"]);
    const decision = await lastDecision("3f1c2a9e-5b7d-4e2a-9c1f-0a1b2c3d4e5f");
    expect(decision.payload.call).toMatchObject({ tool: "Bash", capability: "tests.run", resource: "npm test" });
    expect(result).toEqual({
      code: 0,
      stderr: "",
      stdout: `${JSON.stringify({ hookSpecificOutput: { hookEventName: "PreToolUse", permissionDecision: "allow", permissionDecisionReason: `Maestro: ${reasonOf(decision)}` } })}\n`,
    });
  });

  it("Claude Code: PostToolUseFailure records the failed call as error", async () => {
    expect(await runHook("claude-code", fixture("claude-post-bash-failure.json"), claude)).toEqual(NOTHING);
    const decision = await lastDecision("3f1c2a9e-5b7d-4e2a-9c1f-0a1b2c3d4e5f");
    const outcome = (await server.events("outcome")).find((o) => o.subject.id === decision.subject.id);
    expect(outcome.payload).toMatchObject({ status: "error", summary: "Bash on npm test: error" });
  });

  it("Claude Code: deny carries the policy's reason; require_approval is a deny saying which waiver to request", async () => {
    const write = await runHook("claude-code", fixture("claude-pre-write-outside-grant.json"), claude);
    expect(write).toEqual(deny(reasonOf(await lastDecision("3f1c2a9e-5b7d-4e2a-9c1f-0a1b2c3d4e5f"))));
    expect(write.stdout).toMatch(/no_grant.*repo\.write on \.github\/workflows\/release\.yml/);
    const edit = await runHook("claude-code", fixture("claude-pre-edit-needs-approval.json"), claude);
    const pending = await lastDecision("3f1c2a9e-5b7d-4e2a-9c1f-0a1b2c3d4e5f");
    expect(pending.payload.decision).toBe("require_approval");
    expect(edit).toEqual(
      deny(
        `approval required for repo.write on docs/release-process.md (decision ${pending.subject.id}: ${reasonOf(pending)}). To get it, an engineer requests a waiver (maestro waiver request --capability repo.write --resource docs/release-process.md --agent claude-code --runset laptop --waives approval_required --justification '…' --duration 1h) and a security approver runs maestro waiver approve WAIVER_ID; then retry the same call.`,
      ),
    );
  });

  it("Claude Code: PowerShell and Monitor are tests.run on their command line; TodoWrite, LSP and ReadMcpResourceTool get no decision; unknown and unmapped tools are denied", async () => {
    const pwsh = await runHook("claude-code", fixture("claude-pre-powershell.json"), claude);
    expect(pwsh).toEqual(deny(reasonOf(await lastDecision("3f1c2a9e-5b7d-4e2a-9c1f-0a1b2c3d4e5f"))));
    const calls = (await decisionsFor("3f1c2a9e-5b7d-4e2a-9c1f-0a1b2c3d4e5f")).map((d) => d.payload.call);
    expect(calls.filter((c) => c.tool === "PowerShell").map((c) => [c.capability, c.resource])).toEqual([
      ["tests.run", "Remove-Item -Recurse -Force C:\\Users\\dev\\.ssh"],
    ]);
    const monitor = await runHook("claude-code", fixture("claude-pre-monitor.json"), claude);
    expect(monitor).toEqual(deny(reasonOf(await lastDecision("3f1c2a9e-5b7d-4e2a-9c1f-0a1b2c3d4e5f"))));
    expect(monitor.stdout).toMatch(/no_grant.*tests\.run on tail -f \/var\/log\/app\.log/);
    const before = (await server.events("decision")).length;
    for (const name of ["claude-pre-todowrite.json", "claude-pre-lsp.json", "claude-pre-read-mcp-resource.json"]) {
      expect(await runHook("claude-code", fixture(name), claude)).toEqual(NOTHING);
    }
    expect((await server.events("decision")).length).toBe(before);
    expect(await runHook("claude-code", fixture("claude-pre-multiedit.json"), claude)).toEqual(
      deny("tool MultiEdit is not in the tool map, so no policy can allow it"),
    );
    expect(await runHook("claude-code", fixture("claude-pre-mcp-unmapped.json"), claude)).toEqual(
      deny("tool mcp__github__create_pull_request is not in the tool map, so no policy can allow it"),
    );
  });

  it("Claude Code: a WebFetch outcome taints the session, so the next fetch is denied", async () => {
    expect(await runHook("claude-code", fixture("claude-pre-webfetch.json"), claude)).toEqual(NOTHING);
    expect(await runHook("claude-code", fixture("claude-post-webfetch.json"), claude)).toEqual(NOTHING);
    const again = await runHook("claude-code", fixture("claude-pre-webfetch-again.json"), claude);
    expect(again).toEqual(deny(reasonOf(await lastDecision("7a7a7a7a-1111-4222-8333-944444444444"))));
    expect(again.stdout).toMatch(/session_tainted/);
  });

  it("Claude Code: a Read whose response holds a secret marks the session, so a WebFetch then needs approval; the secret stays out", async () => {
    const session = "5e5e5e5e-2222-4333-8444-955555555555";
    expect(await runHook("claude-code", withSession("claude-session-start.json", session), claude)).toEqual(NOTHING);
    const file = "/workspace/project/config/aws.ini";
    const pre = {
      ...JSON.parse(fixture("claude-pre-read.json")),
      session_id: session,
      tool_input: { file_path: file },
      tool_use_id: "toolu_aws",
    };
    expect(await runHook("claude-code", JSON.stringify(pre), claude)).toEqual(NOTHING);
    const response = { type: "text", file: { filePath: file, content: awsIni.content, numLines: 3, startLine: 1, totalLines: 3 } };
    const post = { ...pre, hook_event_name: "PostToolUse", tool_response: response };
    expect(await runHook("claude-code", JSON.stringify(post), claude)).toEqual(NOTHING);
    const read = await lastDecision(session);
    const outcome = (await server.events("outcome")).find((o) => o.subject.id === read.subject.id);
    expect(outcome.payload.content.findings[0]).toMatchObject({ path: "config/aws.ini", rule: expect.stringMatching(/^aws\//) });

    const fetch = { ...JSON.parse(fixture("claude-pre-webfetch.json")), session_id: session, tool_use_id: "toolu_fetch_after_aws" };
    const result = await runHook("claude-code", JSON.stringify(fetch), claude);
    const decision = await lastDecision(session);
    expect(decision.payload.call).toMatchObject({ tool: "WebFetch", capability: "network.egress" });
    expect(decision.payload.decision).toBe("require_approval");
    expect(decision.payload.reasons.map((r: { code: string }) => r.code)).toEqual(["session_holds_secret"]);
    // The way out it names is a waiver of that reason: one of approval_required would lift nothing here.
    expect(result.stdout).toContain("--waives session_holds_secret --justification");
    // The pending record (which held the read until the server took it) is gone: nothing of the secret stays on disk.
    const onDisk = readdirSync(stateDir, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => readFileSync(join(e.parentPath, e.name), "utf8"));
    expect(JSON.stringify([outcome, decision, result, onDisk])).not.toContain(awsIni.secret!);
  });

  it("Codex: an allow prints nothing (Codex takes no allow); the failed Bash run is read from its 'Exit code: 1' text; a patch is decided per file", async () => {
    const session = "0199c2d4-aaaa-7bbb-8ccc-dddddddddddd";
    expect(await runHook("codex", fixture("codex-pre-bash.json"), codex)).toEqual(NOTHING);
    expect(await runHook("codex", fixture("codex-post-bash.json"), codex)).toEqual(NOTHING);
    expect(await runHook("codex", fixture("codex-pre-bash-ok.json"), codex)).toEqual(NOTHING);
    expect(await runHook("codex", fixture("codex-post-bash-ok.json"), codex)).toEqual(NOTHING);
    const patch = await runHook("codex", fixture("codex-pre-apply-patch.json"), codex);
    const decisions = await decisionsFor(session);
    expect(patch).toEqual(deny(reasonOf(decisions.at(-1))));
    expect(decisions.map((d) => [d.payload.call.resource, d.payload.decision])).toEqual([
      ["npm test", "allow"],
      ["npm test", "allow"],
      ["src/add.js", "allow"],
      [".github/workflows/x.yml", "deny"],
    ]);
    const outcomes = await server.events("outcome");
    expect(outcomes.find((o) => o.subject.id === decisions[0].subject.id).payload).toMatchObject({
      status: "error",
      summary: "Bash on npm test: error (exit code 1)",
    });
    expect(outcomes.find((o) => o.subject.id === decisions[1].subject.id).payload).toMatchObject({
      status: "ok",
      summary: "Bash on npm test: ok (exit code 0)",
    });
  });

  it("Codex: require_approval is a deny whose reason names the waiver to request and the decision id", async () => {
    const result = await runHook("codex", fixture("codex-pre-apply-patch-docs.json"), codex);
    const pending = await lastDecision("0199c2d4-aaaa-7bbb-8ccc-dddddddddddd");
    expect(pending.payload.decision).toBe("require_approval");
    expect(result).toEqual(
      deny(
        `approval required for repo.write on docs/release-process.md (decision ${pending.subject.id}: ${reasonOf(pending)}). To get it, an engineer requests a waiver (maestro waiver request --capability repo.write --resource docs/release-process.md --agent codex --runset laptop --waives approval_required --justification '…' --duration 1h) and a security approver runs maestro waiver approve WAIVER_ID; then retry the same call.`,
      ),
    );
  });

  it("Codex: MCP tools are denied unless --map maps them; a mapped one's isError result is recorded as error", async () => {
    expect(await runHook("codex", fixture("codex-pre-mcp.json"), codex)).toEqual(
      deny("tool mcp__fs__read_text_file is not in the tool map, so no policy can allow it"),
    );
    expect(await runHook("codex", fixture("codex-pre-mcp.json"), codex, ["--map", mapFile])).toEqual(NOTHING);
    expect(await runHook("codex", fixture("codex-post-mcp-error.json"), codex, ["--map", mapFile])).toEqual(NOTHING);
    const decision = await lastDecision("0199c2d4-aaaa-7bbb-8ccc-dddddddddddd");
    expect(decision.payload.call).toMatchObject({ tool: "mcp__fs__read_text_file", resource: "src/add.js" });
    const outcome = (await server.events("outcome")).find((o) => o.subject.id === decision.subject.id);
    expect(outcome.payload).toMatchObject({ status: "error" });
  });

  it("sends what Write and apply_patch add: a secret is denied with secret_detected and stays out of the ledger; removing one is not", async () => {
    const session = "3f1c2a9e-5b7d-4e2a-9c1f-0a1b2c3d4e5f";
    const secret = stripe.secret!;
    const write = {
      ...JSON.parse(fixture("claude-pre-edit-needs-approval.json")),
      tool_name: "Write",
      tool_input: { file_path: "/workspace/project/src/billing.ts", content: stripe.content },
      tool_use_id: "toolu_secret_write",
    };
    const result = await runHook("claude-code", JSON.stringify(write), claude);
    const decision = await lastDecision(session);
    expect(decision.payload.call).toMatchObject({ tool: "Write", resource: "src/billing.ts" });
    expect(decision.payload.reasons.map((r: { code: string }) => r.code)).toEqual(["secret_detected"]);
    expect(decision.payload.content.findings[0]).toMatchObject({ path: "src/billing.ts", rule: "stripe/STRIPE_SECRET_KEY_LIVE" });
    expect(result).toEqual(deny(reasonOf(decision)));
    expect(JSON.stringify(decision)).not.toContain(secret);

    const removal = {
      ...JSON.parse(fixture("codex-pre-apply-patch.json")),
      tool_input: {
        command: `*** Begin Patch\n*** Update File: src/billing.ts\n@@\n-${stripe.content}+const key = process.env.STRIPE_KEY;\n*** End Patch\n`,
      },
    };
    expect(await runHook("codex", JSON.stringify(removal), codex)).toEqual(NOTHING);
    const patched = (await server.events("decision")).at(-1);
    expect(patched.payload).toMatchObject({ decision: "allow", content: { findings: [] } });
    expect(patched.payload.call.args.patchDigest).toBe(patched.payload.content.digest);
  });

  it("fails closed with exit 2 and the reason on stderr when the server is down, answers badly, or the input is not hook JSON", async () => {
    const down = await runHook("claude-code", fixture("claude-pre-read.json"), { ...claude, MAESTRO_URL: "http://127.0.0.1:9" });
    expect(down).toEqual({
      code: 2,
      stdout: "",
      stderr: expect.stringMatching(
        /^maestro hook: blocked, Maestro could not decide: mediator at http:\/\/127\.0\.0\.1:9 cannot be reached: .*\n$/,
      ),
    });

    const liar: Server = createServer((_req, res) =>
      res.writeHead(200, { "content-type": "application/json" }).end('{"decision":"probably"}'),
    );
    await new Promise<void>((resolve) => liar.listen(0, "127.0.0.1", resolve));
    try {
      const bad = await runHook("codex", fixture("codex-pre-bash.json"), {
        ...codex,
        MAESTRO_URL: `http://127.0.0.1:${(liar.address() as AddressInfo).port}`,
      });
      expect(bad).toEqual({
        code: 2,
        stdout: "",
        stderr: 'maestro hook: blocked, Maestro could not decide: mediator answered an unknown decision "probably"\n',
      });
    } finally {
      await new Promise<void>((resolve) => liar.close(() => resolve()));
    }

    expect(await runHook("claude-code", "not json", claude)).toEqual({
      code: 2,
      stdout: "",
      stderr: "maestro hook: blocked, Maestro could not decide: hook input on stdin is not JSON\n",
    });
    expect(await runHook("claude-code", fixture("claude-pre-read.json"), { ...env, MAESTRO_TOKEN: "" })).toEqual({
      code: 2,
      stdout: "",
      stderr:
        "maestro hook: blocked, Maestro could not decide: no agent token: pass --token or set MAESTRO_TOKEN (maestro token issue --role agent)\n",
    });
    const wrongToken = await runHook("claude-code", fixture("claude-pre-read.json"), { ...env, MAESTRO_TOKEN: "not-a-jwt" });
    expect(wrongToken).toEqual({
      code: 2,
      stdout: "",
      stderr: expect.stringMatching(/^maestro hook: blocked, Maestro could not decide: mediator refused \/v1\/mediate: .*\n$/),
    });
  });
});
