// run_tests → tests.run (resource: the command), install_package → package.install (resource: "npm:<name>").
import { copyFile, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MaestroError } from "../../common/errors.ts";
import type { AgentTool, ToolEnv } from "./tool.ts";

export const runTestsTool: AgentTool<{ command?: string }> = {
  name: "run_tests",
  description:
    "Run the test command in the worktree and return its exit code and the tail of its output. Omit command to use the configured one.",
  inputSchema: { type: "object", properties: { command: { type: "string" } }, additionalProperties: false },
  capability: "tests.run",
  plan(args, env) {
    const command = (args.command ?? env.testCommand).trim();
    if (!command) throw new MaestroError("invalid_field", "no test command given or configured", { field: "command" });
    return { resource: command, args: { command } };
  },
  async run(args, env) {
    const command = (args.command ?? env.testCommand).trim();
    const result = await env.exec({ argv: [command], shell: true, cwd: env.workdir, timeoutMs: env.timeoutMs ?? 600_000 });
    const verdict = result.timedOut ? "timed out" : result.code === 0 ? "passed" : `failed (exit ${result.code})`;
    return {
      status: result.code === 0 && !result.timedOut ? "ok" : "error",
      content: `tests ${verdict}\n${result.output}`,
      summary: `${command}: ${verdict}`,
    };
  },
};

// npm package names (https://docs.npmjs.com/cli/configuring-npm/package-json#name) and a conservative version range.
const NPM_NAME = /^(@[a-z0-9][a-z0-9._~-]*\/)?[a-z0-9][a-z0-9._~-]*$/;
const NPM_VERSION = /^[\w.^~<>=*| -]{1,64}$/;

export const installPackageTool: AgentTool<{ name: string; version?: string }> = {
  name: "install_package",
  description: "Install an npm package into the worktree (npm install name@version).",
  inputSchema: {
    type: "object",
    properties: { name: { type: "string" }, version: { type: "string" } },
    required: ["name"],
    additionalProperties: false,
  },
  capability: "package.install",
  plan(args) {
    if (!NPM_NAME.test(args.name)) throw new MaestroError("invalid_field", `"${args.name}" is not an npm package name`, { field: "name" });
    if (args.version !== undefined && !NPM_VERSION.test(args.version))
      throw new MaestroError("invalid_field", "version is not a version range", { field: "version" });
    return { resource: `npm:${args.name}`, args: { name: args.name, version: args.version ?? "latest" } };
  },
  resolveContent: resolveLockFile,
  async run(args, env) {
    const spec = `${args.name}@${args.version ?? "latest"}`;
    const result = await env.exec({
      argv: ["npm", "install", "--no-audit", "--no-fund", spec],
      cwd: env.workdir,
      timeoutMs: env.timeoutMs ?? 300_000,
    });
    const ok = result.code === 0 && !result.timedOut;
    return {
      status: ok ? "ok" : "error",
      content: `${ok ? "installed" : "install failed:"} ${spec}\n${result.output}`,
      summary: `npm install ${spec}: ${ok ? "ok" : "failed"}`,
    };
  },
};

/**
 * The package-lock.json `npm install name@version` would write, resolved in a scratch copy of the worktree's manifest and
 * lock file (`--package-lock-only --ignore-scripts`: nothing is downloaded into node_modules, no script runs), so the
 * server can check the licences the install brings before it is allowed. Undefined when npm cannot resolve it.
 */
async function resolveLockFile(args: { name: string; version?: string }, env: ToolEnv): Promise<string | undefined> {
  const scratch = await mkdtemp(join(tmpdir(), "maestro-lock-"));
  try {
    for (const file of ["package.json", "package-lock.json"])
      await copyFile(join(env.workdir, file), join(scratch, file)).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== "ENOENT") throw err;
      });
    const result = await env.exec({
      argv: [
        "npm",
        "install",
        "--package-lock-only",
        "--ignore-scripts",
        "--no-audit",
        "--no-fund",
        `${args.name}@${args.version ?? "latest"}`,
      ],
      cwd: scratch,
      timeoutMs: env.timeoutMs ?? 300_000,
    });
    if (result.code !== 0 || result.timedOut) return undefined;
    return await readFile(join(scratch, "package-lock.json"), "utf8");
  } catch {
    return undefined;
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
