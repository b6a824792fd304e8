// `maestro hook claude-code` / `maestro hook codex`: the PreToolUse/PostToolUse command hook; exit 2 (blocking) on any failure.
import { httpMediatorFromEnv, DEFAULT_MAESTRO_URL } from "../../agents/mediator/http-mediator-client.ts";
import { CLAUDE_CODE_MAP, CODEX_MAP } from "../../agents/hooks/default-maps.ts";
import { handleHook } from "../../agents/hooks/coding-agent-hook.ts";
import { parseHookInput } from "../../agents/hooks/hook-input.ts";
import { hookStateDir } from "../../agents/hooks/hook-state.ts";
import { loadToolMap, type ToolMap } from "../../agents/mcp/tool-map.ts";
import { type Command, parseFlags } from "../command.ts";

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

function hookCommand(flavour: "claude-code" | "codex", defaults: ToolMap): Command {
  const command: Command = {
    name: `hook ${flavour}`,
    usage: `
Usage: maestro hook ${flavour} [--runset NAME] [--agent NAME] [--map FILE] [--url URL] [--token TOKEN]

Reads the hook JSON on stdin. PreToolUse: mediates the call and prints
{"hookSpecificOutput": {"hookEventName": "PreToolUse", "permissionDecision": "allow"|"deny"|"ask",
"permissionDecisionReason": "..."}} (require_approval → ask). PostToolUse: appends the outcome.
Fails closed: if the server cannot be reached or answers badly, exits 2 with the reason on stderr
(exit 2 blocks the call; any other non-zero exit would let it through).
Codex sends the same JSON; "maestro hook codex" only changes the built-in tool map (Bash, apply_patch).
--map adds to or overrides the built-in map (schemas/runset/tool-map.schema.json).
Env: MAESTRO_RUNSET, MAESTRO_AGENT, MAESTRO_TOKEN (role agent), MAESTRO_URL (default ${DEFAULT_MAESTRO_URL}).`,
    async run(argv) {
      try {
        const { values } = parseFlags(
          argv,
          { runset: { type: "string" }, agent: { type: "string" }, map: { type: "string" }, url: { type: "string" }, token: { type: "string" } },
          command,
        );
        const extra = values.map ? await loadToolMap(values.map) : undefined;
        const map: ToolMap = { runset: extra?.runset, root: extra?.root, tools: { ...defaults.tools, ...extra?.tools } };
        const runset = values.runset ?? process.env.MAESTRO_RUNSET ?? map.runset;
        if (!runset) throw new Error("no run-set: pass --runset, set MAESTRO_RUNSET or put runset: in the map");
        const output = await handleHook(parseHookInput(await readStdin()), {
          mediator: httpMediatorFromEnv({ url: values.url, token: values.token }),
          map,
          agent: values.agent ?? process.env.MAESTRO_AGENT ?? flavour,
          runset,
          stateDir: hookStateDir(),
        });
        process.stdout.write(`${JSON.stringify(output)}\n`);
        return 0;
      } catch (err) {
        // Exit 2 is the blocking error for PreToolUse; stderr is shown to the agent as the reason.
        process.stderr.write(`maestro hook: blocked, Maestro could not decide: ${err instanceof Error ? err.message : String(err)}\n`);
        return 2;
      }
    },
  };
  return command;
}

export const hookClaudeCodeCommand = hookCommand("claude-code", CLAUDE_CODE_MAP);
export const hookCodexCommand = hookCommand("codex", CODEX_MAP);
