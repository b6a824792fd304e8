// `maestro hook claude-code` on a real project directory: resources are what Claude Code touches (search roots, symlinks resolved), and file contents reach the ledger only as digests.
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { STORE_KINDS } from "../support/test-stores.ts";
import { startTestServer, type TestServer } from "./support/maestro-server.ts";
import { runHook } from "./support/run-hook.ts";

describe.each(STORE_KINDS)("coding-agent hook resources and ledgered args (%s store)", (kind) => {
  let server: TestServer;
  let env: Record<string, string>;
  let scratch: string;
  let project: string;
  let outside: string;
  let calls = 0;
  const session = `paths-${kind}`;
  beforeAll(async () => {
    server = await startTestServer(kind);
    scratch = realpathSync(mkdtempSync(join(tmpdir(), "maestro-hook-paths-")));
    project = join(scratch, "project");
    outside = join(scratch, "outside");
    mkdirSync(join(project, "src/sub"), { recursive: true });
    mkdirSync(join(outside, "cron.d"), { recursive: true });
    writeFileSync(join(outside, "passwd"), "root:x:0:0\n");
    // A symlink inside the granted tree that leads out of the project, and one that dangles out of it.
    symlinkSync(outside, join(project, "src/link"));
    symlinkSync(join(outside, "not-yet"), join(project, "src/dangling"));
    await server.register("paths", [
      { agent: "claude-code", capability: "repo.read", resource: "src/**" },
      { agent: "claude-code", capability: "repo.write", resource: "src/**" },
    ]);
    env = {
      MAESTRO_URL: server.url,
      MAESTRO_TOKEN: await server.token("agent", "claude-code"),
      MAESTRO_RUNSET: "paths",
      MAESTRO_HOOK_STATE_DIR: join(scratch, "state"),
    };
    // The session starts in the project: SessionStart pins it as the root.
    const start = await runHook(
      "claude-code",
      JSON.stringify({ session_id: session, cwd: project, hook_event_name: "SessionStart", source: "startup" }),
      env,
    );
    expect(start).toEqual({ code: 0, stdout: "", stderr: "" });
  });
  afterAll(async () => {
    await server?.close();
    rmSync(scratch, { recursive: true, force: true });
  });

  async function pre(
    tool: string,
    input: Record<string, unknown>,
  ): Promise<{ permissionDecision: string; permissionDecisionReason: string }> {
    const hook = {
      session_id: session,
      cwd: project,
      hook_event_name: "PreToolUse",
      tool_name: tool,
      tool_input: input,
      tool_use_id: `toolu_${++calls}`,
    };
    // Authoritative, so an allow is printed rather than left silent.
    const result = await runHook("claude-code", JSON.stringify(hook), env, ["--allow", "authoritative"]);
    expect(result.code, result.stderr).toBe(0);
    return JSON.parse(result.stdout).hookSpecificOutput;
  }
  const ledgered = async () =>
    (await server.events("decision")).filter((e) => e.payload.call.session === session).map((e) => e.payload.call);

  it("decides Grep and Glob on the directory they search, not on the pattern", async () => {
    expect(await pre("Grep", { pattern: "src/x", path: "/etc" })).toMatchObject({
      permissionDecision: "deny",
      permissionDecisionReason: expect.stringMatching(/outside/),
    });
    expect(await pre("Glob", { pattern: "src/*", path: "/home" })).toMatchObject({
      permissionDecision: "deny",
      permissionDecisionReason: expect.stringMatching(/outside/),
    });
    expect((await pre("Glob", { pattern: "/etc/*" })).permissionDecision).toBe("deny");
    expect((await pre("Glob", { pattern: "../../*" })).permissionDecision).toBe("deny");
    // No path: the agent's working directory, the whole project, which a src/** grant does not cover.
    expect(await pre("Grep", { pattern: "src/x" })).toMatchObject({
      permissionDecision: "deny",
      permissionDecisionReason: expect.stringMatching(/no_grant.*repo\.read on \./),
    });
    expect((await pre("Grep", { pattern: "TODO", path: join(project, "src/sub") })).permissionDecision).toBe("allow");
    expect((await pre("Glob", { pattern: "**/*.ts", path: "src/sub" })).permissionDecision).toBe("allow");
    expect((await pre("Glob", { pattern: `${project}/src/sub/**/*.ts` })).permissionDecision).toBe("allow");
    expect((await ledgered()).map((c) => [c.tool, c.resource])).toEqual([
      ["Grep", "."],
      ["Grep", "src/sub"],
      ["Glob", "src/sub"],
      ["Glob", "src/sub"],
    ]);
  });

  it("resolves symlinks: a path through a link leaving the project is denied, not mapped inside it", async () => {
    expect(await pre("Read", { file_path: join(project, "src/link/passwd") })).toMatchObject({
      permissionDecision: "deny",
      permissionDecisionReason: expect.stringMatching(/outside/),
    });
    expect((await pre("Write", { file_path: join(project, "src/link/cron.d/x"), content: "* * * * * root sh\n" })).permissionDecision).toBe(
      "deny",
    );
    expect((await pre("Write", { file_path: join(project, "src/dangling"), content: "x" })).permissionDecision).toBe("deny");
    expect((await pre("Read", { file_path: join(project, "src/link/../../project/src/a.ts") })).permissionDecision).toBe("deny");
    expect((await pre("Grep", { pattern: "root", path: join(project, "src/link") })).permissionDecision).toBe("deny");
    // Files that do not exist yet, in directories that do not either, stay ordinary in-project resources.
    expect((await pre("Write", { file_path: join(project, "src/new/dir/b.ts"), content: "export {};\n" })).permissionDecision).toBe(
      "allow",
    );
  });

  it("ledgers file contents as digests only, whatever their size, on deny as on allow", async () => {
    const secret = "AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    expect((await pre("Write", { file_path: join(project, "src/notes.txt"), content: secret })).permissionDecision).toBe("allow");
    expect((await pre("Write", { file_path: join(project, ".env"), content: secret })).permissionDecision).toBe("deny");
    expect(
      (await pre("Edit", { file_path: join(project, "src/a.ts"), old_string: "x", new_string: secret, replace_all: false }))
        .permissionDecision,
    ).toBe("allow");
    expect((await pre("NotebookEdit", { notebook_path: join(project, "src/n.ipynb"), new_source: secret })).permissionDecision).toBe(
      "allow",
    );
    const calls = (await ledgered()).filter((c) => ["Write", "Edit", "NotebookEdit"].includes(c.tool) && c.resource !== "src/new/dir/b.ts");
    expect(calls).toHaveLength(4);
    const digest = { digest: expect.stringMatching(/^sha256:[0-9a-f]{64}$/), chars: expect.any(Number) };
    expect(calls[0].args).toEqual({ file_path: join(project, "src/notes.txt"), content: digest });
    expect(calls[2].args).toEqual({ file_path: join(project, "src/a.ts"), old_string: digest, new_string: digest, replace_all: false });
    expect(calls[3].args.new_source).toEqual(digest);
    expect(JSON.stringify(await server.events("decision"))).not.toContain("wJalrXUtnFEMI");
  });
});
