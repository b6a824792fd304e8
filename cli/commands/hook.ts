// `maestro hook claude-code|codex` (the hook the agent runs on each event; exit 2 blocks), `maestro hook install` (writes the agent's settings) and `maestro hook doctor` (checks them).
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, resolve } from "node:path";
import { type AllowMode, blocked, type HookResult, warning } from "../../agents/hooks/agent-output.ts";
import { handleHook } from "../../agents/hooks/coding-agent-hook.ts";
import { hookDoctor } from "../../agents/hooks/hook-doctor.ts";
import { parseHookInput } from "../../agents/hooks/hook-input.ts";
import {
  DEFAULT_TIMEOUT_SECONDS,
  HOOK_EVENTS,
  hookCommandLine,
  mergeHookSettings,
  type Scope,
  settingsFile,
} from "../../agents/hooks/hook-settings.ts";
import { HookState, hookStateDir } from "../../agents/hooks/hook-state.ts";
import { builtInMap, type CodingAgent, toolMatcher } from "../../agents/hooks/tool-table.ts";
import { DEFAULT_MAESTRO_URL, HttpMediatorClient } from "../../agents/mediator-client/http-mediator-client.ts";
import { MaestroError } from "../../common/errors.ts";
import { loadToolMap, type ToolMap } from "../../agents/mcp/tool-map.ts";
import { type Command, parseFlags, printJson, UsageError } from "../command.ts";
import { writeOutputFile } from "../output-file.ts";

/** This installation's launcher: what install writes and doctor expects, by absolute path. */
const BINARY = resolve(import.meta.dirname, "../../bin/maestro");

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

function allowMode(value: string | undefined): AllowMode {
  const mode = value ?? (process.env.MAESTRO_HOOK_ALLOW || "narrow");
  if (mode !== "narrow" && mode !== "authoritative") throw new UsageError(`--allow must be narrow or authoritative, not ${mode}`);
  return mode;
}

function timeoutSeconds(value: string | undefined): number {
  const seconds = Number(value ?? DEFAULT_TIMEOUT_SECONDS);
  if (!Number.isInteger(seconds) || seconds < 2 || seconds > 600)
    throw new UsageError(`--timeout must be whole seconds from 2 to 600, not ${value}`);
  return seconds;
}

/** The hook's own deadline: below the agent's timeout by a margin for start-up and exit, so Maestro denies before the agent gives up (and lets the call through). */
export function deadlineMs(timeout: number): number {
  return timeout * 1000 - Math.min(5000, (timeout * 1000) / 2);
}

function emit(result: HookResult): number {
  process.stdout.write(result.stdout);
  process.stderr.write(result.stderr);
  return result.exitCode;
}

function hookCommand(flavour: CodingAgent): Command {
  const command: Command = {
    name: `hook ${flavour}`,
    usage: `
Usage: maestro hook ${flavour} [--runset NAME] [--agent NAME] [--root DIR] [--map FILE] [--url URL] [--token TOKEN]
         [--timeout SECONDS] [--allow narrow|authoritative]

Run by ${flavour === "codex" ? "Codex" : "Claude Code"} on each hook event (JSON on stdin); written into its settings by
"maestro hook install ${flavour}". SessionStart pins the repository root (--root, else the session's cwd);
PreToolUse mediates the call; PostToolUse${flavour === "claude-code" ? "/PostToolUseFailure" : ""} records its outcome.
Output per verdict (docs/governance/agents.md): deny and require_approval → permissionDecision "deny" with the
reason (for approval: the waiver to request); allow → nothing${flavour === "claude-code" ? ', or "allow" with --allow authoritative' : ""}.
Fails closed: no answer within the deadline (--timeout minus a margin; the agent's hook timeout), server down,
bad answer, no token, unreadable input → exit 2 with the reason on stderr.
Env: MAESTRO_RUNSET, MAESTRO_AGENT, MAESTRO_TOKEN (role agent), MAESTRO_URL (default ${DEFAULT_MAESTRO_URL}),
MAESTRO_HOOK_ALLOW, MAESTRO_HOOK_STATE_DIR.`,
    async run(argv) {
      let event: string | undefined;
      let timer: NodeJS.Timeout | undefined;
      let timedOut = false;
      try {
        const { values } = parseFlags(
          argv,
          {
            runset: { type: "string" },
            agent: { type: "string" },
            root: { type: "string" },
            map: { type: "string" },
            url: { type: "string" },
            token: { type: "string" },
            timeout: { type: "string" },
            allow: { type: "string" },
          },
          command,
        );
        const deadline = deadlineMs(timeoutSeconds(values.timeout));
        const work = (async () => {
          const extra = values.map ? await loadToolMap(values.map) : undefined;
          const defaults = builtInMap(flavour);
          const map: ToolMap = { runset: extra?.runset, tools: { ...defaults.tools, ...extra?.tools } };
          const runset = values.runset ?? process.env.MAESTRO_RUNSET ?? map.runset;
          if (!runset) throw new Error("no run-set: pass --runset, set MAESTRO_RUNSET or put runset: in the map");
          const input = parseHookInput(await readStdin());
          event = input.hook_event_name;
          const url = values.url ?? process.env.MAESTRO_URL ?? DEFAULT_MAESTRO_URL;
          const token = values.token ?? process.env.MAESTRO_TOKEN;
          if (!token)
            throw new MaestroError(
              "unauthenticated",
              "no agent token: pass --token or set MAESTRO_TOKEN (maestro token issue --role agent)",
            );
          const root = values.root ?? extra?.root;
          return handleHook(input, {
            flavour,
            // Each request gets the whole deadline at most; the race below holds the total.
            mediator: new HttpMediatorClient({ url, token, timeoutMs: deadline }),
            url,
            map,
            agent: values.agent ?? process.env.MAESTRO_AGENT ?? flavour,
            runset,
            state: new HookState(hookStateDir()),
            root: root === undefined ? undefined : resolve(root),
            allow: allowMode(values.allow),
          });
        })();
        const late = new Promise<HookResult>((resolveLate) => {
          timer = setTimeout(() => {
            timedOut = true;
            const message = `no decision within ${deadline} ms (the agent's hook timeout is ${timeoutSeconds(values.timeout)} s)`;
            resolveLate(
              event !== undefined && event !== "PreToolUse"
                ? warning(`${message}; an outcome not sent is retried with the next hook call`)
                : blocked(message),
            );
          }, deadline);
        });
        const result = await Promise.race([work, late]);
        const code = emit(result);
        // Requests still in flight after the deadline must not keep the process (and the agent) waiting.
        if (timedOut) process.exit(code);
        return code;
      } catch (err) {
        // Exit 2 is the blocking status for PreToolUse in both agents; stderr is shown to the agent as the reason.
        return emit(blocked(err instanceof Error ? err.message : String(err)));
      } finally {
        clearTimeout(timer);
      }
    },
  };
  return command;
}

export const hookClaudeCodeCommand = hookCommand("claude-code");
export const hookCodexCommand = hookCommand("codex");

function agentArg(positionals: string[], command: Command): CodingAgent {
  const agent = positionals[0];
  if (agent !== "claude-code" && agent !== "codex")
    throw new UsageError(`name the agent: claude-code or codex (see maestro ${command.name} --help)`);
  if (positionals.length > 1) throw new UsageError(`unexpected argument ${positionals[1]}`);
  return agent;
}

function scopeOf(values: { project?: boolean; user?: boolean }): Scope | undefined {
  if (values.project && values.user) throw new UsageError("give --project or --user, not both");
  return values.project ? "project" : values.user ? "user" : undefined;
}

export const hookInstallCommand: Command = {
  name: "hook install",
  usage: `
Usage: maestro hook install claude-code|codex --runset NAME [--project | --user] [--root DIR] [--agent NAME]
         [--map FILE] [--url URL] [--timeout SECONDS] [--allow narrow|authoritative] [--json]

Writes the agent's hook settings: Claude Code .claude/settings.json (project) or ~/.claude/settings.json (user);
Codex .codex/hooks.json (project) or $CODEX_HOME/hooks.json (user, default ~/.codex). Each event the hook needs
(${HOOK_EVENTS["claude-code"].join(", ")} for Claude Code; ${HOOK_EVENTS.codex.join(", ")} for Codex) runs this
installation's maestro by absolute path (${BINARY}), never npx, with an anchored tool matcher and
--timeout seconds (default ${DEFAULT_TIMEOUT_SECONDS}). Other settings and hooks in the file are kept; earlier Maestro
hooks for the agent are replaced; the file is replaced atomically.
--project (default) pins the repository root to --root (default: the current directory); --user pins it per session
to where the session starts, unless --root is given. --allow authoritative lets a Maestro allow skip Claude Code's
own prompt (default narrow: the user's permission settings still apply).`,
  async run(argv) {
    const { values, positionals } = parseFlags(
      argv,
      {
        project: { type: "boolean" },
        user: { type: "boolean" },
        root: { type: "string" },
        runset: { type: "string" },
        agent: { type: "string" },
        map: { type: "string" },
        url: { type: "string" },
        timeout: { type: "string" },
        allow: { type: "string" },
        json: { type: "boolean" },
      },
      hookInstallCommand,
      true,
    );
    const agent = agentArg(positionals, hookInstallCommand);
    const scope = scopeOf(values) ?? "project";
    if (!values.runset) throw new UsageError("missing --runset (the run-set whose grants the agent works under)");
    if (!/^[A-Za-z0-9][\w.:-]{0,127}$/.test(values.runset)) throw new UsageError(`--runset ${values.runset} is not a run-set name`);
    if (!existsSync(BINARY)) throw new UsageError(`this installation has no ${BINARY}`);
    const root = resolve(values.root ?? process.cwd());
    if (!existsSync(root)) throw new UsageError(`--root ${root} does not exist`);
    if (values.map && !existsSync(values.map)) throw new UsageError(`--map ${values.map} does not exist`);
    const timeout = timeoutSeconds(values.timeout);
    const commandLine = hookCommandLine({
      agent,
      binary: BINARY,
      runset: values.runset,
      agentName: values.agent,
      root: scope === "project" || values.root ? root : undefined,
      map: values.map ? resolve(values.map) : undefined,
      url: values.url,
      timeoutSeconds: timeout,
      allow: allowMode(values.allow),
    });
    const file = settingsFile(agent, scope, root, homedir());
    let settings: Record<string, unknown> = {};
    if (existsSync(file)) {
      try {
        const parsed = JSON.parse(readFileSync(file, "utf8"));
        if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new Error("not a JSON object");
        settings = parsed;
      } catch (err) {
        throw new UsageError(`${file} is not a JSON object (${(err as Error).message}); fix it by hand first, nothing was written`);
      }
    }
    let merged: Record<string, unknown>;
    try {
      merged = mergeHookSettings(settings, agent, commandLine, timeout);
    } catch (err) {
      throw new UsageError(`${file}: ${(err as Error).message}; fix it by hand first, nothing was written`);
    }
    mkdirSync(dirname(file), { recursive: true });
    writeOutputFile(file, `${JSON.stringify(merged, null, 2)}\n`);
    const report = { file, agent, scope, events: HOOK_EVENTS[agent], matcher: toolMatcher(agent), timeout, command: commandLine };
    if (values.json) printJson(report);
    else {
      process.stdout.write(
        `wrote ${file}\n  events:  ${report.events.join(", ")}\n  matcher: ${report.matcher}\n  command: ${commandLine}\n`,
      );
      process.stdout.write(`check it with: ${BINARY} hook doctor ${agent}${scope === "user" ? " --user" : ""}\n`);
      if (agent === "codex")
        process.stdout.write("Codex runs a new or changed hook only after it is trusted: review it when Codex asks.\n");
    }
    return 0;
  },
};

export const hookDoctorCommand: Command = {
  name: "hook doctor",
  usage: `
Usage: maestro hook doctor claude-code|codex [--project | --user] [--root DIR] [--json]

Checks the installed hook settings (both the project's, under --root or the current directory, and the user's,
unless --project or --user picks one): every needed event registered, the program an existing Maestro launcher by
absolute path (not npx), anchored matchers covering every governed tool, a timeout, MAESTRO_TOKEN an unexpired
agent token, the server reachable. Prints each check and how to fix it; exit 1 when any fails.`,
  async run(argv) {
    const { values, positionals } = parseFlags(
      argv,
      { project: { type: "boolean" }, user: { type: "boolean" }, root: { type: "string" }, json: { type: "boolean" } },
      hookDoctorCommand,
      true,
    );
    const agent = agentArg(positionals, hookDoctorCommand);
    const scope = scopeOf(values);
    const root = resolve(values.root ?? process.cwd());
    const scopes: Scope[] = scope ? [scope] : ["project", "user"];
    const checks = await hookDoctor({
      agent,
      files: scopes.map((s) => settingsFile(agent, s, root, homedir())),
      binary: BINARY,
      env: process.env,
    });
    const ok = checks.every((c) => c.ok);
    if (values.json) printJson({ ok, checks });
    else {
      for (const c of checks)
        process.stdout.write(`${c.ok ? "ok  " : "FAIL"}  ${c.check}: ${c.detail}${c.fix ? `\n      fix: ${c.fix}` : ""}\n`);
      process.stdout.write(ok ? "all checks passed\n" : `${checks.filter((c) => !c.ok).length} check(s) failed\n`);
    }
    return ok ? 0 : 1;
  },
};
