// The repository root is pinned when the session starts (or configured) and never taken from a later cwd: the three escapes from issue #22, and what happens without a pin.
import { mkdirSync, mkdtempSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "./support/maestro-server.ts";
import { runHook } from "./support/run-hook.ts";

describe("pinned repository root", () => {
  let server: TestServer;
  let env: Record<string, string>;
  let scratch: string;
  let repo: string;
  let elsewhere: string;
  let n = 0;
  beforeAll(async () => {
    server = await startTestServer("embedded");
    scratch = realpathSync(mkdtempSync(join(tmpdir(), "maestro-hook-root-")));
    repo = join(scratch, "repo");
    elsewhere = join(scratch, "tmp");
    mkdirSync(join(repo, "src"), { recursive: true });
    mkdirSync(join(elsewhere, "src"), { recursive: true });
    await server.register("root", [
      { agent: "claude-code", capability: "repo.read", resource: "**" },
      { agent: "claude-code", capability: "repo.write", resource: "src/**" },
    ]);
    env = {
      MAESTRO_URL: server.url,
      MAESTRO_TOKEN: await server.token("agent", "claude-code"),
      MAESTRO_RUNSET: "root",
      MAESTRO_HOOK_STATE_DIR: join(scratch, "state"),
      MAESTRO_HOOK_ALLOW: "authoritative",
    };
  });
  afterAll(async () => {
    await server?.close();
    rmSync(scratch, { recursive: true, force: true });
  });

  const start = (session: string, cwd: string, source = "startup") =>
    runHook("claude-code", JSON.stringify({ session_id: session, cwd, hook_event_name: "SessionStart", source }), env);
  async function pre(session: string, cwd: string, tool: string, input: Record<string, unknown>, args: string[] = []) {
    const result = await runHook(
      "claude-code",
      JSON.stringify({
        session_id: session,
        cwd,
        hook_event_name: "PreToolUse",
        tool_name: tool,
        tool_input: input,
        tool_use_id: `toolu_${++n}`,
      }),
      env,
      args,
    );
    expect(result.code, result.stderr).toBe(0);
    return JSON.parse(result.stdout).hookSpecificOutput as { permissionDecision: string; permissionDecisionReason: string };
  }
  const resources = async (session: string) =>
    (await server.events("decision")).filter((e) => e.payload.call.session === session).map((e) => e.payload.call.resource);

  it("a later cwd of / does not make /etc/passwd a repository file under a repo.read ** grant", async () => {
    expect(await start("s-root", repo)).toEqual({ code: 0, stdout: "", stderr: "" });
    expect(await pre("s-root", "/", "Read", { file_path: "/etc/passwd" })).toEqual({
      hookEventName: "PreToolUse",
      permissionDecision: "deny",
      permissionDecisionReason: `Maestro: argument file_path (/etc/passwd) is outside ${repo}`,
    });
    expect(await resources("s-root")).toEqual([]);
  });

  it("a later cwd of /tmp does not make /tmp/src/evil.ts match repo.write src/**", async () => {
    await start("s-tmp", repo);
    expect(
      (await pre("s-tmp", elsewhere, "Write", { file_path: join(elsewhere, "src/evil.ts"), content: "x" })).permissionDecisionReason,
    ).toBe(`Maestro: argument file_path (${join(elsewhere, "src/evil.ts")}) is outside ${repo}`);
    // Nor does a resumed session starting from there move the pin.
    expect(await start("s-tmp", elsewhere, "resume")).toEqual({ code: 0, stdout: "", stderr: "" });
    expect((await pre("s-tmp", elsewhere, "Write", { file_path: join(elsewhere, "src/evil.ts"), content: "x" })).permissionDecision).toBe(
      "deny",
    );
    expect(await resources("s-tmp")).toEqual([]);
  });

  it("from cwd repo/src, writing src/a.ts is the resource src/a.ts (allowed), and relative paths still start at the cwd", async () => {
    await start("s-sub", repo);
    expect((await pre("s-sub", join(repo, "src"), "Write", { file_path: join(repo, "src/a.ts"), content: "x" })).permissionDecision).toBe(
      "allow",
    );
    expect((await pre("s-sub", join(repo, "src"), "Grep", { pattern: "TODO", path: "." })).permissionDecision).toBe("allow");
    expect(await resources("s-sub")).toEqual(["src/a.ts", "src"]);
  });

  it("without a pinned root the call is denied; --root pins it without SessionStart; a session at / is refused", async () => {
    expect(await pre("s-none", repo, "Read", { file_path: join(repo, "src/a.ts") })).toEqual({
      hookEventName: "PreToolUse",
      permissionDecision: "deny",
      permissionDecisionReason:
        "Maestro: no repository root is pinned for session s-none: the SessionStart hook did not run (reinstall with maestro hook install, or configure --root), so paths cannot be decided",
    });
    expect((await pre("s-none", "/", "Read", { file_path: join(repo, "src/a.ts") }, ["--root", repo])).permissionDecision).toBe("allow");
    expect(await resources("s-none")).toEqual(["src/a.ts"]);
    expect(await start("s-slash", "/")).toEqual({
      code: 2,
      stdout: "",
      stderr:
        "maestro hook: blocked, Maestro could not decide: refusing to pin / as the repository root: start the agent in the repository or install with --root\n",
    });
  });
});
