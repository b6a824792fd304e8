// Whether a tool call failed, read from what each agent really sends after it: Claude Code's PostToolUseFailure event, Codex's "Exit code: N" text, an MCP result's isError.
import type { OutcomeStatus } from "../mediator-client/mediator-client.ts";
import type { ToolInput } from "./hook-input.ts";

/**
 * The exit status in Codex's PostToolUse `tool_response` for Bash, which is the text the model saw, not an object
 * (codex-rs/core/src/tools/context.rs, post_tool_use_response): "Exit code: N" for the shell tool, "Process exited
 * with code N" for unified exec, or an older build's JSON text {"output", "metadata": {"exit_code"}}.
 */
export function codexExitCode(text: string): number | undefined {
  const line = /^\s*(?:Exit code:|Process exited with code) (-?\d+)\b/m.exec(text);
  if (line) return Number(line[1]);
  try {
    const doc = JSON.parse(text) as { metadata?: { exit_code?: unknown } };
    return typeof doc?.metadata?.exit_code === "number" ? doc.metadata.exit_code : undefined;
  } catch {
    return undefined;
  }
}

/**
 * - Claude Code sends PostToolUse only for a tool that succeeded and PostToolUseFailure (`error`, `is_interrupt`) for
 *   one that failed (https://code.claude.com/docs/en/hooks#posttoolusefailure); a Bash result cut short by an
 *   interrupt says `interrupted: true`.
 * - Codex sends PostToolUse for Bash after a non-zero exit too; the status is in the text (codexExitCode).
 * - An MCP tool result (either agent) is a CallToolResult: `isError: true` is a failure
 *   (https://modelcontextprotocol.io/specification/2025-06-18/server/tools#error-handling).
 */
export function outcomeStatus(input: ToolInput): OutcomeStatus {
  if (input.hook_event_name === "PostToolUseFailure") return "error";
  const response = input.tool_response;
  if (typeof response === "string") return (codexExitCode(response) ?? 0) !== 0 ? "error" : "ok";
  if (typeof response === "object" && response !== null) {
    const r = response as Record<string, unknown>;
    if (r.isError === true || r.interrupted === true) return "error";
  }
  return "ok";
}

/** A short, secret-free description for the outcome's summary. */
export function outcomeNote(input: ToolInput): string {
  if (input.hook_event_name === "PostToolUseFailure") return input.is_interrupt === true ? "error (interrupted)" : "error";
  const code = typeof input.tool_response === "string" ? codexExitCode(input.tool_response) : undefined;
  const status = outcomeStatus(input);
  return code === undefined ? status : `${status} (exit code ${code})`;
}
