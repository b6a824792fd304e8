// `maestro hook doctor`: reads an agent's installed hook settings and checks each thing the hook needs (program, events, matchers, timeout, token, server), saying how to fix what is wrong.
import { accessSync, constants, existsSync, readFileSync, realpathSync } from "node:fs";
import { dirname, isAbsolute, join } from "node:path";
import { DEFAULT_MAESTRO_URL } from "../mediator-client/http-mediator-client.ts";
import { HOOK_EVENTS, isMaestroHook, TOOL_EVENTS } from "./hook-settings.ts";
import { type CodingAgent, TOOL_TABLES } from "./tool-table.ts";

export interface Check {
  check: string;
  ok: boolean;
  detail: string;
  fix?: string;
}

export interface DoctorOptions {
  agent: CodingAgent;
  /** Settings files to read (project and user); missing ones are skipped. */
  files: string[];
  /** This installation's bin/maestro. */
  binary: string;
  env: NodeJS.ProcessEnv;
  now?: number;
}

interface Found {
  file: string;
  event: string;
  matcher?: unknown;
  command: string;
  timeout?: unknown;
}

export async function hookDoctor(o: DoctorOptions): Promise<Check[]> {
  const checks: Check[] = [];
  const install = `maestro hook install ${o.agent} --project (or --user)`;
  const found: Found[] = [];
  for (const file of o.files) {
    if (!existsSync(file)) continue;
    let doc: any;
    try {
      doc = JSON.parse(readFileSync(file, "utf8"));
    } catch (err) {
      checks.push({
        check: "settings",
        ok: false,
        detail: `${file} is not valid JSON (${(err as Error).message}), so the agent runs none of its hooks`,
        fix: "repair the file, then " + install,
      });
      continue;
    }
    for (const [event, groups] of Object.entries(doc?.hooks ?? {})) {
      for (const group of Array.isArray(groups) ? groups : []) {
        for (const h of Array.isArray(group?.hooks) ? group.hooks : []) {
          if (isMaestroHook(h?.command, o.agent))
            found.push({ file, event, matcher: group.matcher, command: h.command, timeout: h.timeout });
        }
      }
    }
  }
  for (const event of HOOK_EVENTS[o.agent]) {
    const here = found.filter((f) => f.event === event);
    checks.push(
      here.length > 0
        ? { check: `event ${event}`, ok: true, detail: `registered in ${[...new Set(here.map((f) => f.file))].join(", ")}` }
        : {
            check: `event ${event}`,
            ok: false,
            detail: `no maestro hook ${o.agent} handler for ${event} in ${o.files.join(" or ")}`,
            fix: install,
          },
    );
  }
  for (const f of found)
    checks.push(programCheck(f, o), timeoutCheck(f, install), ...(TOOL_EVENTS.has(f.event) ? [matcherCheck(f, o.agent, install)] : []));
  checks.push(tokenCheck(o.env, o.now ?? Date.now()));
  const names = new Set(found.map((f) => flag(words(f.command), "--agent") ?? o.env.MAESTRO_AGENT ?? o.agent));
  for (const name of names) {
    const check = agentCheck(o.env.MAESTRO_TOKEN, name);
    if (check) checks.push(check);
  }
  const urls = new Set(found.map((f) => flag(words(f.command), "--url") ?? o.env.MAESTRO_URL ?? DEFAULT_MAESTRO_URL));
  if (urls.size === 0) urls.add(o.env.MAESTRO_URL ?? DEFAULT_MAESTRO_URL);
  for (const url of urls) checks.push(await serverCheck(url));
  return checks;
}

function programCheck(f: Found, o: DoctorOptions): Check {
  const check = `program (${f.event}, ${f.file})`;
  const program = words(f.command)[0] ?? "";
  const fix = `${o.binary} hook install ${o.agent} --project (or --user): it writes this installation's absolute path`;
  if (/(?:^|\/)(?:npx|npm|pnpm|yarn|bunx)$/.test(program)) {
    return {
      check,
      ok: false,
      detail: `runs ${program}: outside this repository "npx maestro" resolves to an unrelated registry package that lets every call through`,
      fix,
    };
  }
  if (!isAbsolute(program))
    return { check, ok: false, detail: `runs ${program} by a relative name, found through PATH or the agent's cwd`, fix };
  if (!existsSync(program))
    return {
      check,
      ok: false,
      detail: `${program} does not exist (moved or deleted checkout): the agent's hook fails and the call is not governed`,
      fix,
    };
  try {
    accessSync(program, constants.X_OK);
  } catch {
    return { check, ok: false, detail: `${program} is not executable`, fix: `chmod +x ${program}` };
  }
  const ours = realpathSync(program) === realpathSync(o.binary);
  // Another checkout of Maestro is still Maestro: its launcher runs its own cli/main.ts.
  const launcher =
    ours ||
    (readFileSync(program, "utf8").includes("cli/main.ts") && existsSync(join(dirname(dirname(realpathSync(program))), "cli", "main.ts")));
  if (!launcher) return { check, ok: false, detail: `${program} is not a Maestro launcher (bin/maestro running cli/main.ts)`, fix };
  return {
    check,
    ok: true,
    detail: ours ? `${program} (this installation)` : `${program} (another Maestro installation than ${o.binary})`,
  };
}

function timeoutCheck(f: Found, install: string): Check {
  const check = `timeout (${f.event}, ${f.file})`;
  if (typeof f.timeout !== "number" || !(f.timeout >= 5)) {
    return {
      check,
      ok: false,
      detail: `timeout ${JSON.stringify(f.timeout)}: without one of at least 5 s the agent waits up to its default (600 s) for a hung hook`,
      fix: install,
    };
  }
  const told = Number(flag(words(f.command), "--timeout") ?? 30);
  if (told > f.timeout)
    return {
      check,
      ok: false,
      detail: `the hook is told --timeout ${told} but the agent kills it after ${f.timeout} s, before its own deadline denies`,
      fix: install,
    };
  return { check, ok: true, detail: `${f.timeout} s` };
}

/** Every governed tool and an MCP tool must fire the hook; tools left alone must not (they would only cost a process). */
function matcherCheck(f: Found, agent: CodingAgent, install: string): Check {
  const check = `matcher (${f.event}, ${f.file})`;
  if (typeof f.matcher !== "string" || f.matcher === "" || f.matcher === "*") return { check, ok: true, detail: "matches every tool" };
  let re: RegExp;
  try {
    // Both agents: letters, digits, _ and | only → exact names; anything else → an unanchored regex.
    re = /^[\w|]+$/.test(f.matcher) ? new RegExp(`^(?:${f.matcher})$`) : new RegExp(f.matcher);
  } catch {
    return { check, ok: false, detail: `${f.matcher} is not a valid regex`, fix: install };
  }
  const entries = Object.entries(TOOL_TABLES[agent]);
  const missed = [...entries.filter(([, e]) => e.kind === "governed").map(([n]) => n), "mcp__server__tool"].filter((n) => !re.test(n));
  const extra = entries.filter(([n, e]) => e.kind === "no-decision" && re.test(n)).map(([n]) => n);
  if (missed.length > 0)
    return { check, ok: false, detail: `${f.matcher} misses ${missed.join(", ")}: those calls never reach Maestro`, fix: install };
  if (extra.length > 0) return { check, ok: false, detail: `${f.matcher} also matches ${extra.join(", ")} (unanchored)`, fix: install };
  return { check, ok: true, detail: f.matcher };
}

function tokenCheck(env: NodeJS.ProcessEnv, now: number): Check {
  const token = env.MAESTRO_TOKEN;
  const fix = "export MAESTRO_TOKEN=$(maestro token issue --role agent --sub NAME --ttl 8h) in the environment the agent starts from";
  if (!token) return { check: "token", ok: false, detail: "MAESTRO_TOKEN is not set: every hook call fails closed (exit 2)", fix };
  let claims: { role?: unknown; exp?: unknown; sub?: unknown };
  try {
    claims = JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString("utf8"));
  } catch {
    return { check: "token", ok: false, detail: "MAESTRO_TOKEN is not a JWT", fix };
  }
  if (claims.role !== "agent")
    return { check: "token", ok: false, detail: `MAESTRO_TOKEN has role ${JSON.stringify(claims.role)}, not agent`, fix };
  if (typeof claims.exp === "number" && claims.exp * 1000 <= now)
    return { check: "token", ok: false, detail: `MAESTRO_TOKEN expired at ${new Date(claims.exp * 1000).toISOString()}`, fix };
  return {
    check: "token",
    ok: true,
    detail: `role agent, sub ${String(claims.sub)}${typeof claims.exp === "number" ? `, expires ${new Date(claims.exp * 1000).toISOString()}` : ""} (signature checked by the server on use)`,
  };
}

/**
 * The hook acts as --agent (default the agent's kind); the server lets a token act only as the agent names it is
 * bound to, by default its subject. Undefined when there is no readable token (tokenCheck already says so).
 */
function agentCheck(token: string | undefined, name: string): Check | undefined {
  // maestro_agents: the claim `maestro token issue --agents` writes (server/auth/agent-binding.ts, AGENTS_CLAIM).
  let claims: { sub?: unknown; maestro_agents?: unknown };
  try {
    claims = JSON.parse(Buffer.from(token?.split(".")[1] ?? "", "base64url").toString("utf8"));
  } catch {
    return undefined;
  }
  const bound = Array.isArray(claims.maestro_agents) ? claims.maestro_agents : [claims.sub];
  if (bound.includes(name)) return { check: `agent ${name}`, ok: true, detail: "the token may act as it" };
  return {
    check: `agent ${name}`,
    ok: false,
    detail: `the hook acts as agent ${name} but MAESTRO_TOKEN is for ${bound.map(String).join(", ")}: the server refuses or misattributes its calls`,
    fix: `maestro token issue --role agent --sub ${name}, or install with --agent ${String(claims.sub)}`,
  };
}

async function serverCheck(url: string): Promise<Check> {
  const check = `server ${url}`;
  try {
    const response = await fetch(`${url.replace(/\/+$/, "")}/healthz`, { signal: AbortSignal.timeout(3000) });
    if (response.ok) return { check, ok: true, detail: "reachable (/healthz answered)" };
    return { check, ok: false, detail: `/healthz answered ${response.status}`, fix: "check the server's log" };
  } catch (err) {
    return {
      check,
      ok: false,
      detail: `cannot be reached (${(err as Error).message}): every hook call fails closed`,
      fix: "start it (maestro serve) or set MAESTRO_URL",
    };
  }
}

/** The words of a shell command line (quotes removed): enough for the lines the installer writes and common hand edits. */
export function words(command: string): string[] {
  const out: string[] = [];
  for (const m of command.matchAll(/(?:'[^']*'|"(?:\\.|[^"\\])*"|\\.|[^\s'"\\])+/g)) {
    out.push(
      m[0].replace(
        /'([^']*)'|"((?:\\.|[^"\\])*)"|\\(.)/g,
        (_, single?: string, double?: string, escaped?: string) => single ?? double?.replace(/\\(.)/g, "$1") ?? escaped ?? "",
      ),
    );
  }
  return out;
}

function flag(argv: string[], name: string): string | undefined {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
}
