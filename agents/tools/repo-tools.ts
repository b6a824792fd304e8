// read_file → repo.read; write_file and apply_patch → repo.write. Resources are worktree-relative paths.
import { constants } from "node:fs";
import { mkdir, open } from "node:fs/promises";
import { dirname } from "node:path";
import { sha256Digest } from "../mediator-client/digest.ts";
import { GIT_APPLY, patchScopeRefusal, patchTarget } from "./patch-scope.ts";
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
    const data = await readNoFollow(path.absolute);
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
    return {
      resource: path.relative,
      args: { path: path.relative, bytes: Buffer.byteLength(args.content), contentDigest: sha256Digest(args.content) },
      content: args.content,
    };
  },
  async run(args, env) {
    const path = workspacePath(env.workdir, args.path);
    await mkdir(dirname(path.absolute), { recursive: true });
    await writeNoFollow(path.absolute, args.content);
    return {
      status: "ok",
      content: `wrote ${path.relative}`,
      summary: `wrote ${path.relative} (${Buffer.byteLength(args.content)} bytes)`,
    };
  },
};

export const applyPatchTool: AgentTool<{ patch: string }> = {
  name: "apply_patch",
  description: "Apply a unified diff (git format, paths a/… b/…) that changes exactly one file in the worktree.",
  inputSchema: { type: "object", properties: { patch: { type: "string" } }, required: ["patch"], additionalProperties: false },
  capability: "repo.write",
  plan(args, env) {
    const path = workspacePath(env.workdir, patchTarget(args.patch), "patch");
    return {
      resource: path.relative,
      args: { path: path.relative, bytes: Buffer.byteLength(args.patch), patchDigest: sha256Digest(args.patch) },
      content: args.patch,
    };
  },
  async run(args, env) {
    const path = workspacePath(env.workdir, patchTarget(args.patch), "patch");
    const refusal = await patchScopeRefusal(env.exec, env.workdir, args.patch, path.relative);
    if (refusal)
      return { status: "error", content: `patch refused: ${refusal}`, summary: `patch to ${path.relative} refused before applying` };
    const result = await env.exec({ argv: [...GIT_APPLY, "-"], cwd: env.workdir, stdin: args.patch, timeoutMs: 30_000 });
    if (result.code !== 0)
      return { status: "error", content: `patch did not apply: ${result.output}`, summary: `patch to ${path.relative} did not apply` };
    return { status: "ok", content: `patched ${path.relative}`, summary: `patched ${path.relative}` };
  },
};

// O_NOFOLLOW: workspacePath refused links on the path; this keeps a link made since then (by a process the
// tests left running) from redirecting the last step.
async function readNoFollow(path: string): Promise<Buffer> {
  const file = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    return await file.readFile();
  } finally {
    await file.close();
  }
}

async function writeNoFollow(path: string, content: string): Promise<void> {
  const file = await open(path, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW, 0o666);
  try {
    await file.writeFile(content);
  } finally {
    await file.close();
  }
}
