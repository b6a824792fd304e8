// Every tool in the hook tool table, for both agents, in its documented input shape: governed tools reach the ledger as the table says, tools left alone get no decision and no ledger entry (in process, against a real server).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NO_DECISION } from "../../agents/hooks/agent-output.ts";
import { handleHook, type HookOptions } from "../../agents/hooks/coding-agent-hook.ts";
import { HookState } from "../../agents/hooks/hook-state.ts";
import { builtInMap, type CodingAgent, TOOL_TABLES } from "../../agents/hooks/tool-table.ts";
import { HttpMediatorClient } from "../../agents/mediator-client/http-mediator-client.ts";
import { startTestServer, type TestServer } from "./support/maestro-server.ts";
import { present } from "../../common/present.ts";

const ROOT = "/workspace/project";

/** Inputs as the tools reference and hooks reference document them; paths absolute as Claude Code sends them. */
const INPUTS: Record<CodingAgent, Record<string, { input: Record<string, unknown>; resource: string }>> = {
  "claude-code": {
    Read: { input: { file_path: `${ROOT}/src/a.ts`, offset: 1, limit: 20 }, resource: "src/a.ts" },
    Glob: { input: { pattern: "**/*.ts", path: `${ROOT}/src` }, resource: "src" },
    Grep: { input: { pattern: "TODO", path: `${ROOT}/src`, output_mode: "content" }, resource: "src" },
    Write: { input: { file_path: `${ROOT}/src/b.ts`, content: "export {};\n" }, resource: "src/b.ts" },
    Edit: { input: { file_path: `${ROOT}/src/a.ts`, old_string: "a", new_string: "b", replace_all: false }, resource: "src/a.ts" },
    NotebookEdit: {
      input: { notebook_path: `${ROOT}/nb/x.ipynb`, cell_id: "c1", new_source: "print(1)", edit_mode: "replace" },
      resource: "nb/x.ipynb",
    },
    Bash: { input: { command: "npm test", description: "Run tests", timeout: 120000 }, resource: "npm test" },
    PowerShell: { input: { command: "Invoke-Pester", description: "Run tests" }, resource: "Invoke-Pester" },
    Monitor: { input: { command: "npm run dev", description: "Watch the dev server" }, resource: "npm run dev" },
    WebFetch: { input: { url: "https://docs.example.com/a", prompt: "Summarise" }, resource: "docs.example.com" },
    WebSearch: { input: { query: "vitest fork pool", allowed_domains: ["vitest.dev"] }, resource: "web-search" },
  },
  codex: {
    Bash: { input: { command: "npm test" }, resource: "npm test" },
    apply_patch: { input: { command: "*** Begin Patch\n*** Add File: src/c.js\n+export {};\n*** End Patch\n" }, resource: "src/c.js" },
  },
};

describe("every tool in the hook tool table", () => {
  let server: TestServer;
  let scratch: string;
  const options = async (agent: CodingAgent): Promise<HookOptions> => ({
    flavour: agent,
    mediator: new HttpMediatorClient({ url: server.url, token: await server.token("agent", agent) }),
    url: server.url,
    map: builtInMap(agent),
    agent,
    runset: "every",
    state: new HookState(join(scratch, agent)),
    root: ROOT,
    allow: "narrow",
  });
  beforeAll(async () => {
    server = await startTestServer("embedded");
    scratch = mkdtempSync(join(tmpdir(), "maestro-hook-every-"));
    await server.register("every", []);
  });
  afterAll(async () => {
    await server?.close();
    rmSync(scratch, { recursive: true, force: true });
  });

  it.each(["claude-code", "codex"] as CodingAgent[])("%s", async (agent) => {
    const o = await options(agent);
    const table = TOOL_TABLES[agent];
    // Every governed tool has a documented input here, so a tool added to the table cannot go untested.
    expect(Object.keys(INPUTS[agent]).sort()).toEqual(
      Object.entries(table)
        .filter(([, e]) => e.kind === "governed")
        .map(([n]) => n)
        .sort(),
    );
    for (const [tool, entry] of Object.entries(table)) {
      const session = `${agent}-${tool}`;
      const before = (await server.events("decision")).length;
      const result = await handleHook(
        {
          session_id: session,
          cwd: ROOT,
          hook_event_name: "PreToolUse",
          tool_name: tool,
          tool_input: INPUTS[agent][tool]?.input ?? {},
          tool_use_id: `id-${tool}`,
        },
        o,
      );
      const ledgered = (await server.events("decision")).slice(before).map((e) => e.payload.call);
      if (entry.kind === "no-decision") {
        expect([tool, result, ledgered]).toEqual([tool, NO_DECISION, []]);
      } else {
        // No grant in this run-set: each is denied, on the capability and resource the table names.
        expect([tool, result.exitCode, JSON.parse(result.stdout).hookSpecificOutput.permissionDecision]).toEqual([tool, 0, "deny"]);
        expect(ledgered.map((c) => [c.tool, c.capability, c.resource])).toEqual([
          [tool, entry.capability, present(INPUTS[agent][tool], `${agent}'s input for ${tool}`).resource],
        ]);
      }
    }
  });
});
