// The hook JSON Claude Code and Codex write on stdin (SessionStart, PreToolUse, PostToolUse, PostToolUseFailure), checked before use.
import { isAbsolute } from "node:path";
import { MaestroError } from "../../common/errors.ts";

export type HookEvent = "SessionStart" | "PreToolUse" | "PostToolUse" | "PostToolUseFailure";

interface Common {
  session_id: string;
  cwd: string;
}

/** Claude Code and Codex: `source` is startup / resume / clear (Claude Code also compact). */
export interface SessionStartInput extends Common {
  hook_event_name: "SessionStart";
  source?: string;
}

export interface ToolInput extends Common {
  hook_event_name: "PreToolUse" | "PostToolUse" | "PostToolUseFailure";
  tool_name: string;
  tool_input: Record<string, unknown>;
  tool_use_id?: string;
  /** PostToolUse: Claude Code sends an object per tool; Codex a string for Bash and apply_patch, the MCP result for MCP tools. */
  tool_response?: unknown;
  /** PostToolUseFailure (Claude Code): what went wrong, and whether the user interrupted. */
  error?: unknown;
  is_interrupt?: unknown;
}

export type HookInput = SessionStartInput | ToolInput;

const EVENTS: readonly string[] = ["SessionStart", "PreToolUse", "PostToolUse", "PostToolUseFailure"];

export function parseHookInput(text: string): HookInput {
  let doc: any;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new MaestroError("bad_request", "hook input on stdin is not JSON");
  }
  const need = (field: string, ok: boolean) => {
    if (!ok) throw new MaestroError("invalid_field", `hook input field ${field} is missing or malformed`, { field });
  };
  need("hook_event_name", typeof doc === "object" && doc !== null && EVENTS.includes(doc.hook_event_name));
  need("session_id", typeof doc.session_id === "string" && doc.session_id !== "");
  need("cwd", typeof doc.cwd === "string" && isAbsolute(doc.cwd));
  if (doc.hook_event_name === "SessionStart") {
    need("source", doc.source === undefined || typeof doc.source === "string");
    return doc as SessionStartInput;
  }
  need("tool_name", typeof doc.tool_name === "string" && doc.tool_name !== "");
  need("tool_input", typeof doc.tool_input === "object" && doc.tool_input !== null && !Array.isArray(doc.tool_input));
  need("tool_use_id", doc.tool_use_id === undefined || typeof doc.tool_use_id === "string");
  return doc as ToolInput;
}

/** The mediator's session pattern is narrower than what agents send; keep it stable and recognisable. */
export function sessionId(raw: string): string {
  const cleaned = raw.replace(/[^\w.:-]/g, "_").replace(/^[^A-Za-z0-9]+/, "");
  return (cleaned || "session").slice(0, 128);
}
