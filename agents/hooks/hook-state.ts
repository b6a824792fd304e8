// Carries PreToolUse decisions to the matching PostToolUse (separate processes) through small files keyed by session and tool call.
import { createHash } from "node:crypto";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { HookInput } from "./hook-input.ts";

export interface PendingCall {
  decisionIds: string[];
  decision: "allow" | "deny" | "require_approval";
  resources: string[];
  taints: boolean;
}

export function hookStateDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.MAESTRO_HOOK_STATE_DIR ?? join(tmpdir(), "maestro-hooks");
}

function keyOf(input: HookInput): string {
  // tool_use_id pairs Pre and Post exactly; without it, the same tool and input in the same session do.
  const id = input.tool_use_id ?? `${input.tool_name}:${JSON.stringify(input.tool_input)}`;
  return createHash("sha256").update(`${input.session_id}\0${id}`).digest("hex");
}

export async function savePending(dir: string, input: HookInput, pending: PendingCall): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await writeFile(join(dir, `${keyOf(input)}.json`), JSON.stringify(pending), { mode: 0o600 });
}

export async function takePending(dir: string, input: HookInput): Promise<PendingCall | undefined> {
  const file = join(dir, `${keyOf(input)}.json`);
  try {
    const pending = JSON.parse(await readFile(file, "utf8")) as PendingCall;
    await rm(file, { force: true });
    return pending;
  } catch {
    return undefined;
  }
}
