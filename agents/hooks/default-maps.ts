// Built-in tool maps for Claude Code and Codex hooks: their tool names and inputs, in the capability vocabulary.
import type { ToolMap } from "../mcp/tool-map.ts";

// Claude Code tool inputs: https://docs.anthropic.com/en/docs/claude-code/hooks (file paths are absolute; Bash has `command`).
export const CLAUDE_CODE_MAP: ToolMap = {
  tools: {
    Read: { capability: "repo.read", resource: "{file_path|relative}" },
    NotebookRead: { capability: "repo.read", resource: "{notebook_path|relative}" },
    // Searches are decided on the directory they search (`path`, default the cwd), never on the pattern.
    Glob: { capability: "repo.read", resource: "{pattern|glob-dir}" },
    Grep: { capability: "repo.read", resource: "{path?|relative}" },
    LS: { capability: "repo.read", resource: "{path|relative}" },
    Write: { capability: "repo.write", resource: "{file_path|relative}" },
    Edit: { capability: "repo.write", resource: "{file_path|relative}" },
    MultiEdit: { capability: "repo.write", resource: "{file_path|relative}" },
    NotebookEdit: { capability: "repo.write", resource: "{notebook_path|relative}" },
    // A shell command is governed as tests.run on the command line: grants list the commands allowed.
    Bash: { capability: "tests.run", resource: "{command}" },
    WebFetch: { capability: "network.egress", resource: "{url|host}", taints: true },
    WebSearch: { capability: "network.egress", resource: "web-search", taints: true },
  },
};

// Codex sends the same hook JSON; its tools are Bash (`command`) and apply_patch (the patch text in `command`).
export const CODEX_MAP: ToolMap = {
  tools: {
    Bash: { capability: "tests.run", resource: "{command}" },
    apply_patch: { capability: "repo.write", resource: "{command|patch-files}" },
  },
};
