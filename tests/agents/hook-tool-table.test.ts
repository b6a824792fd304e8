// The hook tool table is one table: the docs show exactly what the code uses, and the matchers it yields fire for every governed tool and no tool left alone, read as both agents read them.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { codexExitCode } from "../../agents/hooks/tool-outcome.ts";
import { type CodingAgent, TOOL_TABLES, toolMatcher, toolTableMarkdown } from "../../agents/hooks/tool-table.ts";

const DOC = readFileSync(join(import.meta.dirname, "../../docs/governance/agents.md"), "utf8");

/** Both agents: only letters, digits, `_` and `|` → exact names; "" or "*" → all; anything else → an unanchored regex search (codex-rs/hooks/src/events/common.rs). */
function fires(matcher: string, tool: string): boolean {
  if (matcher === "" || matcher === "*") return true;
  if (/^[A-Za-z0-9_|]+$/.test(matcher)) return matcher.split("|").includes(tool);
  return new RegExp(matcher).test(tool);
}

describe("hook tool table", () => {
  it("docs/governance/agents.md shows the table the code uses, and the matchers install writes", () => {
    const shown = /<!-- tool-table:start -->\n([\s\S]*?)\n<!-- tool-table:end -->/.exec(DOC)?.[1];
    expect(shown).toBe(toolTableMarkdown());
    expect(DOC).toContain(`"matcher": "${toolMatcher("claude-code")}"`);
    expect(DOC).toContain(`matcher\n\`${toolMatcher("codex")}\``);
  });

  it.each(["claude-code", "codex"] as CodingAgent[])(
    "%s: the matcher fires for every governed tool and MCP tools, for no tool left alone, and only for whole names",
    (agent) => {
      const matcher = toolMatcher(agent);
      for (const [name, entry] of Object.entries(TOOL_TABLES[agent]))
        expect([name, fires(matcher, name)]).toEqual([name, entry.kind === "governed"]);
      expect(fires(matcher, "mcp__github__create_pull_request")).toBe(true);
      for (const near of ["TodoWrite", "ReadMcpResourceTool", "BashOutput", "xBash", "LS"])
        expect([near, fires(matcher, near)]).toEqual([near, false]);
      // The unanchored form this replaces fired for tools that merely contain a governed name.
      expect(fires("Read|Write|Bash|mcp__.*", "TodoWrite")).toBe(true);
    },
  );

  it("reads Codex's exit status from the text its Bash PostToolUse carries", () => {
    expect(codexExitCode("Exit code: 1\nWall time: 2.4 seconds\nOutput:\n1 failing\n")).toBe(1);
    expect(codexExitCode("Exit code: 0\nOutput:\nok")).toBe(0);
    expect(codexExitCode("Chunk ID: 7\nWall time: 0.1 seconds\nProcess exited with code 127\nOutput:\nnot found")).toBe(127);
    expect(codexExitCode('{"output":"boom","metadata":{"exit_code":2,"duration_seconds":0.1}}')).toBe(2);
    expect(codexExitCode("Success. Updated the following files:\nM src/add.js\n")).toBeUndefined();
    // Only a line that starts with it: output that merely mentions an exit code is not the status.
    expect(codexExitCode("Output:\nthe tool said Exit code: 3 somewhere")).toBeUndefined();
  });
});
