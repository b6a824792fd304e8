// What outlives one hook process: each session's pinned repository root, and each allowed call's pending outcome until the server acknowledged it (small files, written atomically).
import { createHash, randomBytes } from "node:crypto";
import { lstat, mkdir, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MaestroError } from "../../common/errors.ts";
import type { Outcome } from "../mediator-client/mediator-client.ts";
import type { ToolInput } from "./hook-input.ts";

/** A record older than this is dropped: a call whose PostToolUse never came, or an outcome the server never took. */
export const STALE_AFTER_MS = 24 * 60 * 60_000;

export interface PendingCall {
  /** Server and agent the decisions belong to: a retry goes only to the same server, under the same agent name. */
  url: string;
  agent: string;
  createdAt: number;
  tool: string;
  decisionIds: string[];
  resources: string[];
  taints: boolean;
  /** The tool reads (anything but a repository write): PostToolUse sends what it read for the server to scan. */
  reads?: boolean;
  /** Set by PostToolUse / PostToolUseFailure; the record stays until the server has every outcome. */
  outcomes?: Outcome[];
  /** How many of `outcomes` the server has acknowledged (they go in order). */
  acked?: number;
}

export function hookStateDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.MAESTRO_HOOK_STATE_DIR ?? join(tmpdir(), `maestro-hooks-${process.getuid?.() ?? "user"}`);
}

const digest = (text: string) => createHash("sha256").update(text).digest("hex");

function pendingKey(input: ToolInput): string {
  // tool_use_id pairs Pre and Post exactly; without it, the same tool and input in the same session do.
  return digest(`${input.session_id}\0${input.tool_use_id ?? `${input.tool_name}:${JSON.stringify(input.tool_input)}`}`);
}

/** Temp file + rename: a reader never sees half a record, and a crash leaves the old one or none. */
async function writeAtomic(file: string, value: unknown): Promise<void> {
  const temp = `${file}.${randomBytes(6).toString("hex")}.tmp`;
  await writeFile(temp, JSON.stringify(value), { mode: 0o600 });
  await rename(temp, file);
}

async function readJson<T>(file: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(file, "utf8")) as T;
  } catch {
    return undefined;
  }
}

export class HookState {
  readonly dir: string;
  constructor(dir: string) {
    this.dir = dir;
  }

  async #folder(name: "roots" | "pending"): Promise<string> {
    await this.#checkOwned();
    const folder = join(this.dir, name);
    await mkdir(folder, { recursive: true, mode: 0o700 });
    return folder;
  }

  /**
   * The default lives in the shared temp folder: a directory someone else made there (or one others may write)
   * could feed us roots and outcomes, so it is refused (fail closed) rather than used.
   */
  async #checkOwned(): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const info = await lstat(this.dir);
    const uid = process.getuid?.();
    if (!info.isDirectory() || (uid !== undefined && info.uid !== uid) || (info.mode & 0o022) !== 0) {
      throw new MaestroError(
        "forbidden",
        `hook state directory ${this.dir} is not a directory of this user that only it may write; set MAESTRO_HOOK_STATE_DIR`,
      );
    }
  }

  /** The root pinned for a session; the first pin wins, so a later SessionStart (resume, clear) from elsewhere cannot move it. */
  async pinRoot(session: string, root: string): Promise<string> {
    const file = join(await this.#folder("roots"), `${digest(session)}.json`);
    const existing = await readJson<{ root: string }>(file);
    if (existing && typeof existing.root === "string") return existing.root;
    await writeAtomic(file, { root, pinnedAt: Date.now() });
    return root;
  }

  async pinnedRoot(session: string): Promise<string | undefined> {
    await this.#checkOwned();
    const pinned = await readJson<{ root?: unknown }>(join(this.dir, "roots", `${digest(session)}.json`));
    return typeof pinned?.root === "string" ? pinned.root : undefined;
  }

  async savePending(input: ToolInput, pending: PendingCall): Promise<void> {
    await writeAtomic(join(await this.#folder("pending"), `${pendingKey(input)}.json`), pending);
  }

  /** The pending record of this call, if PreToolUse allowed it. */
  async pendingFor(input: ToolInput): Promise<{ file: string; pending: PendingCall } | undefined> {
    const file = join(this.dir, "pending", `${pendingKey(input)}.json`);
    const pending = await readJson<PendingCall>(file);
    return pending ? { file, pending } : undefined;
  }

  async update(file: string, pending: PendingCall): Promise<void> {
    await writeAtomic(file, pending);
  }

  async remove(file: string): Promise<void> {
    await rm(file, { force: true });
  }

  /**
   * Records whose outcomes are known but not yet acknowledged, for this server and agent, oldest first; stale
   * records (and temp files a crash left) are deleted on the way.
   */
  async unsent(url: string, agent: string, now = Date.now()): Promise<{ file: string; pending: PendingCall }[]> {
    await this.#checkOwned();
    const folder = join(this.dir, "pending");
    let names: string[];
    try {
      names = await readdir(folder);
    } catch {
      return [];
    }
    const out: { file: string; pending: PendingCall }[] = [];
    for (const name of names) {
      const file = join(folder, name);
      if (name.endsWith(".tmp")) {
        const info = await stat(file).catch(() => undefined);
        if (info && now - info.mtimeMs > STALE_AFTER_MS) await this.remove(file);
        continue;
      }
      const pending = await readJson<PendingCall>(file);
      if (!pending || typeof pending.createdAt !== "number" || now - pending.createdAt > STALE_AFTER_MS) {
        await this.remove(file);
        continue;
      }
      if (pending.outcomes && pending.url === url && pending.agent === agent) out.push({ file, pending });
    }
    return out.sort((a, b) => a.pending.createdAt - b.pending.createdAt);
  }
}
