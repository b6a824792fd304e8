// The hook JSON Claude Code (and Codex, same format) writes on stdin for PreToolUse / PostToolUse, checked before use.
import { MaestroError } from "../../common/errors.ts";

export interface HookInput {
  session_id: string;
  cwd: string;
  hook_event_name: "PreToolUse" | "PostToolUse";
  tool_name: string;
  tool_input: Record<string, unknown>;
  tool_use_id?: string;
  /** PostToolUse only (Claude Code: tool_response; some Codex builds: tool_output). */
  tool_response?: unknown;
  tool_output?: unknown;
}

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
  need("hook_event_name", doc?.hook_event_name === "PreToolUse" || doc?.hook_event_name === "PostToolUse");
  need("session_id", typeof doc.session_id === "string" && doc.session_id !== "");
  need("cwd", typeof doc.cwd === "string" && doc.cwd !== "");
  need("tool_name", typeof doc.tool_name === "string" && doc.tool_name !== "");
  need("tool_input", typeof doc.tool_input === "object" && doc.tool_input !== null && !Array.isArray(doc.tool_input));
  need("tool_use_id", doc.tool_use_id === undefined || typeof doc.tool_use_id === "string");
  return doc as HookInput;
}

/** The mediator's session pattern is narrower than what agents send; keep it stable and recognisable. */
export function sessionId(raw: string): string {
  const cleaned = raw.replace(/[^\w.:-]/g, "_").replace(/^[^A-Za-z0-9]+/, "");
  return (cleaned || "session").slice(0, 128);
}
