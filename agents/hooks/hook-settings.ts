// The agents' hook settings as data: where each agent reads them, the entries `maestro hook install` writes, merged into a user's file without touching anything else.
import { join } from "node:path";
import { shellQuote, type AllowMode } from "./agent-output.ts";
import { type CodingAgent, toolMatcher } from "./tool-table.ts";

export type Scope = "project" | "user";

/** Events each agent must send: SessionStart pins the root; Claude Code reports failed tools in PostToolUseFailure only. */
export const HOOK_EVENTS: Record<CodingAgent, readonly string[]> = {
  "claude-code": ["SessionStart", "PreToolUse", "PostToolUse", "PostToolUseFailure"],
  codex: ["SessionStart", "PreToolUse", "PostToolUse"],
};

/** The events whose matcher is a tool name (SessionStart's matches the start source and is left out: every source). */
export const TOOL_EVENTS = new Set(["PreToolUse", "PostToolUse", "PostToolUseFailure"]);

/** Both agents' default is 600 s; ours is short so a hung call fails closed soon, and the hook's own deadline sits below it. */
export const DEFAULT_TIMEOUT_SECONDS = 30;

/**
 * Claude Code: .claude/settings.json in the project, ~/.claude/settings.json for the user
 * (https://code.claude.com/docs/en/settings). Codex: hooks.json in the project's .codex folder or in CODEX_HOME
 * (default ~/.codex) (codex-rs/hooks/src/engine/discovery.rs, load_hooks_json).
 */
export function settingsFile(agent: CodingAgent, scope: Scope, root: string, home: string, env: NodeJS.ProcessEnv = process.env): string {
  if (agent === "claude-code") return join(scope === "project" ? root : home, ".claude", "settings.json");
  return scope === "project" ? join(root, ".codex", "hooks.json") : join(env.CODEX_HOME || join(home, ".codex"), "hooks.json");
}

export interface HookCommandOptions {
  agent: CodingAgent;
  binary: string;
  runset: string;
  agentName?: string;
  root?: string;
  map?: string;
  url?: string;
  timeoutSeconds: number;
  allow: AllowMode;
}

/** The command line, run by the agent through a shell: this installation's bin/maestro by absolute path, never npx. */
export function hookCommandLine(o: HookCommandOptions): string {
  const words = [o.binary, "hook", o.agent, "--runset", o.runset];
  if (o.agentName) words.push("--agent", o.agentName);
  if (o.root) words.push("--root", o.root);
  if (o.map) words.push("--map", o.map);
  if (o.url) words.push("--url", o.url);
  words.push("--timeout", String(o.timeoutSeconds));
  if (o.allow !== "narrow") words.push("--allow", o.allow);
  return words.map(shellQuote).join(" ");
}

/** Our handlers, old or new, whatever program ran them (npx maestro, a moved checkout): replaced on install. */
export function isMaestroHook(command: unknown, agent: CodingAgent): boolean {
  return typeof command === "string" && new RegExp(`(?:^|[\\s/'"])maestro'?\\s+hook\\s+${agent}(?:\\s|$)`).test(command);
}

interface Handler {
  type: string;
  command?: string;
  timeout?: number;
  [key: string]: unknown;
}
interface Group {
  matcher?: string;
  hooks: Handler[];
  [key: string]: unknown;
}

/**
 * `settings` with our group for each event and no other Maestro handler for this agent; every other key, event,
 * group and handler is kept as it was. Throws on a file whose `hooks` is not the documented shape rather than guess.
 */
export function mergeHookSettings(
  settings: Record<string, unknown>,
  agent: CodingAgent,
  command: string,
  timeoutSeconds: number,
): Record<string, unknown> {
  const hooks = settings.hooks ?? {};
  if (typeof hooks !== "object" || hooks === null || Array.isArray(hooks)) throw new Error('its "hooks" is not an object');
  const merged: Record<string, Group[]> = { ...(hooks as Record<string, Group[]>) };
  for (const event of HOOK_EVENTS[agent]) {
    const groups = merged[event] ?? [];
    if (!Array.isArray(groups)) throw new Error(`its hooks.${event} is not a list`);
    const kept = groups
      .map((group) =>
        Array.isArray(group?.hooks) ? { ...group, hooks: group.hooks.filter((h) => !isMaestroHook(h?.command, agent)) } : group,
      )
      .filter((group) => !Array.isArray(group?.hooks) || group.hooks.length > 0);
    const ours: Group = {
      ...(TOOL_EVENTS.has(event) ? { matcher: toolMatcher(agent) } : {}),
      hooks: [{ type: "command", command, timeout: timeoutSeconds }],
    };
    merged[event] = [...kept, ours];
  }
  return { ...settings, hooks: merged };
}
