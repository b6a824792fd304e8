// The one table of Claude Code and Codex tools: what each governed tool means to the policy, which are left alone, and the hook matchers built from it (docs/governance/agents.md renders the same table).
import type { MappedTool, ToolMap } from "../mcp/tool-map.ts";

export type CodingAgent = "claude-code" | "codex";

/** A tool the hook decides (capability + resource template), or one it explicitly leaves to the agent. */
export type ToolEntry = ({ kind: "governed" } & MappedTool) | { kind: "no-decision"; why: string };

/**
 * Claude Code's built-in tools (https://code.claude.com/docs/en/tools-reference: the names are the strings hook
 * matchers see; tool inputs: https://code.claude.com/docs/en/hooks#pretooluse-input, file paths absolute).
 * MultiEdit, LS and NotebookRead are no longer tools: a call naming them is unknown and denied.
 */
export const CLAUDE_CODE_TOOLS: Record<string, ToolEntry> = {
  Read: { kind: "governed", capability: "repo.read", resource: "{file_path|relative}" },
  // Searches are decided on the directory they search (`path`, default the cwd), never on the pattern.
  Glob: { kind: "governed", capability: "repo.read", resource: "{pattern|glob-dir}" },
  Grep: { kind: "governed", capability: "repo.read", resource: "{path?|relative}" },
  Write: { kind: "governed", capability: "repo.write", resource: "{file_path|relative}" },
  Edit: { kind: "governed", capability: "repo.write", resource: "{file_path|relative}" },
  NotebookEdit: { kind: "governed", capability: "repo.write", resource: "{notebook_path|relative}" },
  // Every tool that runs a command is tests.run on the command line: grants list the commands allowed.
  Bash: { kind: "governed", capability: "tests.run", resource: "{command}" },
  PowerShell: { kind: "governed", capability: "tests.run", resource: "{command}" },
  Monitor: { kind: "governed", capability: "tests.run", resource: "{command}" },
  WebFetch: { kind: "governed", capability: "network.egress", resource: "{url|host}", taints: true },
  WebSearch: { kind: "governed", capability: "network.egress", resource: "web-search", taints: true },
  // Neither read nor write the repository nor reach out; the tools a subagent, skill or scheduled prompt calls fire their own hooks.
  Agent: { kind: "no-decision", why: "starts a subagent; each tool the subagent calls is decided on its own" },
  Skill: { kind: "no-decision", why: "runs a skill's prompt; the tools it calls are decided on their own" },
  AskUserQuestion: { kind: "no-decision", why: "asks the user" },
  TodoWrite: { kind: "no-decision", why: "the session's to-do list" },
  TaskCreate: { kind: "no-decision", why: "the session's task list" },
  TaskGet: { kind: "no-decision", why: "the session's task list" },
  TaskList: { kind: "no-decision", why: "the session's task list" },
  TaskUpdate: { kind: "no-decision", why: "the session's task list" },
  TaskOutput: { kind: "no-decision", why: "reads the output of a background task that was itself decided" },
  TaskStop: { kind: "no-decision", why: "stops a background task" },
  CronCreate: { kind: "no-decision", why: "schedules a prompt in the session; its tool calls are decided when they happen" },
  CronDelete: { kind: "no-decision", why: "cancels a scheduled prompt" },
  CronList: { kind: "no-decision", why: "lists scheduled prompts" },
  EnterPlanMode: { kind: "no-decision", why: "session mode" },
  ExitPlanMode: { kind: "no-decision", why: "session mode" },
  EnterWorktree: { kind: "no-decision", why: "moves the session's cwd; the pinned root, not the cwd, bounds later paths" },
  ExitWorktree: { kind: "no-decision", why: "moves the session's cwd back" },
  LSP: { kind: "no-decision", why: "code intelligence from a language server the user configured" },
  ToolSearch: { kind: "no-decision", why: "searches the tool catalogue" },
  SendMessage: { kind: "no-decision", why: "messages a teammate or subagent" },
  ListMcpResourcesTool: {
    kind: "no-decision",
    why: "lists resources of MCP servers the user connected (govern a server with maestro mcp-proxy)",
  },
  ReadMcpResourceTool: {
    kind: "no-decision",
    why: "reads a resource of an MCP server the user connected (govern a server with maestro mcp-proxy)",
  },
};

/**
 * Codex's hooked tools (https://developers.openai.com/codex/hooks; codex-rs/hooks/src/events/pre_tool_use.rs): Bash
 * (`command`), apply_patch (the patch text in `command`; matched also as Edit and Write) and MCP tools.
 */
export const CODEX_TOOLS: Record<string, ToolEntry> = {
  Bash: { kind: "governed", capability: "tests.run", resource: "{command}" },
  apply_patch: { kind: "governed", capability: "repo.write", resource: "{command|patch-files}" },
};

export const TOOL_TABLES: Record<CodingAgent, Record<string, ToolEntry>> = { "claude-code": CLAUDE_CODE_TOOLS, codex: CODEX_TOOLS };

/** The governed tools as a tool map (the MCP proxy's format, so --map FILE can add MCP tools to it). */
export function builtInMap(agent: CodingAgent): ToolMap {
  const tools: ToolMap["tools"] = {};
  for (const [name, entry] of Object.entries(TOOL_TABLES[agent])) {
    if (entry.kind === "governed")
      tools[name] = { capability: entry.capability, resource: entry.resource, ...(entry.taints ? { taints: true } : {}) };
  }
  return { tools };
}

/** A built-in tool the hook leaves to the agent without a decision; undefined for governed or unknown tools. */
export function noDecisionReason(agent: CodingAgent, tool: string): string | undefined {
  const entry = Object.hasOwn(TOOL_TABLES[agent], tool) ? TOOL_TABLES[agent][tool] : undefined;
  return entry?.kind === "no-decision" ? entry.why : undefined;
}

/**
 * The tool matcher the installer writes: anchored, because both agents read a matcher with any character besides
 * letters, digits, `_` and `|` as an unanchored regex (`Read|Write` would also match TodoWrite and ReadMcpResourceTool).
 * It names every governed tool and every MCP tool (`mcp__…`, denied unless --map maps it).
 */
export function toolMatcher(agent: CodingAgent): string {
  const names = Object.entries(TOOL_TABLES[agent])
    .filter(([, entry]) => entry.kind === "governed")
    .map(([name]) => name);
  return `^(?:${[...names, "mcp__.*"].join("|")})$`;
}

/** The table as docs/governance/agents.md shows it; a test keeps the two the same. */
export function toolTableMarkdown(): string {
  const rows = ["| agent | tool | Maestro | capability | resource |", "|---|---|---|---|---|"];
  for (const [agent, table] of Object.entries(TOOL_TABLES)) {
    for (const [name, e] of Object.entries(table)) {
      rows.push(
        e.kind === "governed"
          ? // A pipe inside a table cell must be escaped, even in code (GitHub-flavoured Markdown).
            `| ${agent} | ${name} | decides | \`${e.capability}\`${e.taints ? " (taints)" : ""} | \`${e.resource.replaceAll("|", "\\|")}\` |`
          : `| ${agent} | ${name} | no decision: ${e.why} | — | — |`,
      );
    }
    rows.push(`| ${agent} | \`mcp__<server>__<tool>\` | decides when \`--map\` maps it, else denied | from the map | from the map |`);
    rows.push(`| ${agent} | any other name | denied (unknown tool) | — | — |`);
  }
  return rows.join("\n");
}
