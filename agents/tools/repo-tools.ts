// read_file → repo.read; write_file and apply_patch → repo.write. Resources are worktree-relative paths.
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { MaestroError } from "../../common/errors.ts";
import { sha256Digest } from "../mediator/digest.ts";
import type { AgentTool } from "./tool.ts";
import { workspacePath } from "./workspace-path.ts";

const MAX_READ = 256 * 1024;

export const readFileTool: AgentTool<{ path: string }> = {
  name: "read_file",
  description: "Read a UTF-8 text file from the repository worktree. Path is relative to the repository root.",
  inputSchema: { type: "object", properties: { path: { type: "string" } }, required: ["path"], additionalProperties: false },
  capability: "repo.read",
  plan(args, env) {
    const path = workspacePath(env.workdir, args.path);
    return { resource: path.relative, args: { path: path.relative } };
  },
  async run(args, env) {
    const path = workspacePath(env.workdir, args.path);
    const data = await readFile(path.absolute);
    const text = data.subarray(0, MAX_READ).toString("utf8");
    const note = data.length > MAX_READ ? `\n[truncated: ${data.length} bytes, first ${MAX_READ} shown]` : "";
    return { status: "ok", content: text + note, summary: `read ${path.relative} (${data.length} bytes)` };
  },
};

export const writeFileTool: AgentTool<{ path: string; content: string }> = {
  name: "write_file",
  description: "Create or overwrite a text file in the repository worktree with the given content.",
  inputSchema: {
    type: "object",
    properties: { path: { type: "string" }, content: { type: "string" } },
    required: ["path", "content"],
    additionalProperties: false,
  },
  capability: "repo.write",
  plan(args, env) {
    const path = workspacePath(env.workdir, args.path);
    // The ledger records what was written by hash; the content itself stays in git.
    return { resource: path.relative, args: { path: path.relative, bytes: Buffer.byteLength(args.content), contentDigest: sha256Digest(args.content) } };
  },
  async run(args, env) {
    const path = workspacePath(env.workdir, args.path);
    await mkdir(dirname(path.absolute), { recursive: true });
    await writeFile(path.absolute, args.content);
    return { status: "ok", content: `wrote ${path.relative}`, summary: `wrote ${path.relative} (${Buffer.byteLength(args.content)} bytes)` };
  },
};

export const applyPatchTool: AgentTool<{ patch: string }> = {
  name: "apply_patch",
  description: "Apply a unified diff (git format, paths a/… b/…) that changes exactly one file in the worktree.",
  inputSchema: { type: "object", properties: { patch: { type: "string" } }, required: ["patch"], additionalProperties: false },
  capability: "repo.write",
  plan(args, env) {
    const path = workspacePath(env.workdir, patchTarget(args.patch), "patch");
    return { resource: path.relative, args: { path: path.relative, bytes: Buffer.byteLength(args.patch), patchDigest: sha256Digest(args.patch) } };
  },
  async run(args, env) {
    const path = workspacePath(env.workdir, patchTarget(args.patch), "patch");
    const result = await env.exec({ argv: ["git", "apply", "--whitespace=nowarn", "-"], cwd: env.workdir, stdin: args.patch, timeoutMs: 30_000 });
    if (result.code !== 0) return { status: "error", content: `patch did not apply: ${result.output}`, summary: `patch to ${path.relative} did not apply` };
    return { status: "ok", content: `patched ${path.relative}`, summary: `patched ${path.relative}` };
  },
};

/** The one file a patch touches (one file per call, so the mediated resource is exactly what changes). */
export function patchTarget(patch: string): string {
  const targets = new Set<string>();
  for (const line of patch.split("\n")) {
    const m = /^(?:\+\+\+|---) (?:[ab]\/)?(\S+)/.exec(line);
    if (m && m[1] !== "/dev/null") targets.add(m[1]);
  }
  if (targets.size !== 1) {
    throw new MaestroError("invalid_field", `patch must change exactly one file (found ${targets.size}); send one apply_patch per file`, { field: "patch" });
  }
  return [...targets][0];
}
