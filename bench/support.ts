// Shared bench helpers: percentiles, a throwaway PostgreSQL database, a server in a child process, table printing.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { type Agent, request } from "node:http";
import pg from "pg";

/** One allowed repo.read call: the body every decision bench sends to POST /v1/mediate. */
export const MEDIATE_BODY = JSON.stringify({
  runset: "bench",
  agent: "bench-agent",
  session: "s-1",
  tool: "read_file",
  capability: "repo.read",
  resource: "src/a.ts",
  args: { path: "src/a.ts" },
});

/**
 * `items[index]`, which the bench established is there (a length it checked, a loop bound); an error naming `what`
 * otherwise. Not common/present.ts: side-by-side.ts copies bench/ over older checkouts, which may predate that file.
 */
export function itemAt<T>(items: ArrayLike<T>, index: number, what: string): T {
  const value = items[index];
  if (value === undefined) throw new Error(`bench: ${what}[${index}] is missing (length ${items.length})`);
  return value;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return itemAt(sorted, Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length)), "sorted samples");
}

export function summarize(latenciesMs: number[]): { p50: number; p99: number; max: number } {
  const sorted = [...latenciesMs].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted.at(-1) ?? Number.NaN };
}

export async function throwawayDatabase(): Promise<{ url: string; drop(): Promise<void> } | null> {
  const adminUrl = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
  const name = `maestro_bench_${randomBytes(4).toString("hex")}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  try {
    await admin.connect();
    await admin.query(`create database ${name}`);
  } catch (err) {
    console.error(`bench: PostgreSQL not reachable at ${adminUrl} (${(err as Error).message}); skipping PostgreSQL rows`);
    return null;
  } finally {
    await admin.end().catch(() => {});
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

/** A checkout of `rev` beside `repo` (git worktree), sharing its node_modules, so its code runs as it was. */
export function checkoutCommit(repo: string, rev: string): { dir: string; commit: string; remove(): void } {
  const commit = execFileSync("git", ["rev-parse", "--short", rev], { cwd: repo, encoding: "utf8" }).trim();
  const dir = mkdtempSync(join(tmpdir(), "maestro-bench-base-"));
  execFileSync("git", ["worktree", "add", "--detach", dir, commit], { cwd: repo, stdio: "ignore" });
  symlinkSync(join(repo, "node_modules"), join(dir, "node_modules"));
  // The pinned tools (opa) are not in git either; benches that start `opa run` find them where the base expects them.
  if (existsSync(join(repo, ".tools"))) symlinkSync(join(repo, ".tools"), join(dir, ".tools"));
  return {
    dir,
    commit,
    remove: () => {
      execFileSync("git", ["worktree", "remove", "--force", dir], { cwd: repo, stdio: "ignore" });
      if (existsSync(dir)) rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function tempDir(prefix: string): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

function withoutDatabaseUrl(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { DATABASE_URL: _ignored, ...rest } = env;
  return rest;
}

/** Starts `maestro serve` in its own process (so load generation does not share its event loop). */
export async function spawnServer(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ url: string; child: ChildProcess; stop(): Promise<void> }> {
  // BENCH_SERVER_NODE_ARGS="--trace-gc" etc. reach the server's node (NODE_OPTIONS refuses some flags).
  const nodeArgs = (process.env.BENCH_SERVER_NODE_ARGS ?? "").split(" ").filter(Boolean);
  const child = spawn(
    process.execPath,
    [...nodeArgs, ...(process.env.PROF ? ["--cpu-prof", "--cpu-prof-dir=/tmp/prof"] : []), "cli/main.ts", "serve", "--port", "0", ...args],
    {
      // DATABASE_URL would silently override --data-dir; the caller passes --database-url explicitly.
      env: { ...withoutDatabaseUrl(process.env), ...env },
      stdio: ["ignore", process.env.BENCH_SERVER_STDOUT ? "inherit" : "ignore", "pipe"],
    },
  );
  const url = await new Promise<string>((resolve, reject) => {
    let err = "";
    child.stderr!.on("data", (chunk: Buffer) => {
      err += chunk.toString();
      if (process.env.BENCH_VERBOSE) process.stderr.write(chunk);
      const url = /listening on (http:\/\/[^\s]+)/.exec(err)?.[1];
      if (url) resolve(url);
    });
    child.once("exit", (code) => reject(new Error(`server exited ${code}: ${err}`)));
  });
  return {
    url,
    child,
    stop: () =>
      new Promise<void>((resolve) => {
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}

/** Runs `measure` against bench/trivial-server.ts, a node:http server that does nothing: the floor rows' server. */
export async function withTrivialServer<T>(measure: (url: string) => Promise<T>): Promise<T> {
  const child = spawn(process.execPath, ["bench/trivial-server.ts"], { stdio: ["ignore", "ignore", "pipe"] });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      child.stderr!.on("data", (chunk: Buffer) => {
        const url = /listening on (http:\/\/\S+)/.exec(chunk.toString())?.[1];
        if (url) resolve(url);
      });
      child.once("exit", (code) => reject(new Error(`trivial server exited ${code}`)));
    });
    return await measure(url);
  } finally {
    child.kill();
  }
}

export function printTable(title: string, rows: Array<Record<string, string | number>>): void {
  console.log(`\n## ${title}`);
  if (rows.length === 0) return;
  const fmt = (v: string | number) => (typeof v === "number" ? (Number.isInteger(v) ? String(v) : v.toFixed(3)) : v);
  const cell = (r: Record<string, string | number>, col: string) => {
    const v = r[col];
    if (v === undefined) throw new Error(`bench: a row of "${title}" has no ${col}`);
    return fmt(v);
  };
  // The first row names the columns.
  const cols = Object.keys(itemAt(rows, 0, "rows")).map((name) => ({
    name,
    width: Math.max(name.length, ...rows.map((r) => cell(r, name).length)),
  }));
  console.log(cols.map((c) => c.name.padEnd(c.width)).join("  "));
  for (const r of rows) console.log(cols.map((c) => cell(r, c.name).padEnd(c.width)).join("  "));
}

/** POSTs a JSON body with a bearer token over a keep-alive agent; the answer's status and text. */
export function postJson(agent: Agent, url: URL, token: string, body: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: "POST",
        agent,
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json", "content-length": Buffer.byteLength(body) },
      },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk) => (text += chunk));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

/**
 * CPU seconds (user + system) a process has used, from Linux's /proc; undefined elsewhere. Per request it is a cost
 * that a shared machine's load blurs far less than requests/s. (A PostgreSQL server's own processes are not in it.)
 */
export function cpuSeconds(pid: number | undefined): number | undefined {
  try {
    // Fields 14 and 15 of /proc/PID/stat, after the command name in parentheses, in clock ticks (100 per second).
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}
