// The shape of a CLI command and the shared helpers for flags, help and output.
import { readFileSync } from "node:fs";
import { parseArgs, type ParseArgsConfig } from "node:util";
import { MaestroError } from "../common/errors.ts";

/** A loaded command; its one-line summary lives in commands/index.ts so `maestro --help` loads no command module. */
export interface Command {
  /** e.g. "token issue" */
  name: string;
  usage: string;
  run(argv: string[]): Promise<number | void>;
}

export class UsageError extends Error {}

type Options = NonNullable<ParseArgsConfig["options"]>;

/** parseArgs with --help handled and unknown flags reported as one readable line. */
export function parseFlags<O extends Options>(argv: string[], options: O, command: Command, allowPositionals = false) {
  try {
    const parsed = parseArgs({
      args: argv,
      options: { ...options, help: { type: "boolean", short: "h" } },
      allowPositionals,
      strict: true,
    });
    if ((parsed.values as Record<string, unknown>).help) {
      process.stdout.write(`${command.usage.trim()}\n`);
      process.exit(0);
    }
    return parsed;
  } catch (err) {
    if (err instanceof Error && "code" in err && String((err as { code: string }).code).startsWith("ERR_PARSE_ARGS")) {
      // Node adds hint lines ("To specify an option argument starting with a dash…"); errors stay one line.
      throw new UsageError(`${err.message.split("\n")[0]} (see maestro ${command.name} --help)`);
    }
    throw err;
  }
}

export function requireFlag(value: string | undefined, flag: string): string {
  if (!value) throw new UsageError(`missing --${flag}`);
  return value;
}

/** A file named on the command line. One that cannot be read is a usage error (exit 2), never a failed check (exit 1). */
export function readArgFile(file: string, what: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (err) {
    throw new UsageError(`cannot read ${what}: ${reasonOf(err)}`);
  }
}

const ERRNO_TEXT: Record<string, string> = {
  ENOENT: "no such file or directory",
  EACCES: "permission denied",
  EISDIR: "is a directory",
  ENOTDIR: "not a directory",
  ENOSPC: "no space left on device",
  EFBIG: "file too large",
};

/**
 * Why a call failed, as a short phrase for one stderr line. The errno code is the useful part, and fetch and
 * pg hide it under `cause` (or in an AggregateError when both IPv4 and IPv6 were tried); else the first line.
 */
export function reasonOf(err: unknown): string {
  let message = "";
  let e = err as { code?: unknown; message?: unknown; cause?: unknown; errors?: unknown[] } | undefined;
  for (let depth = 0; e && typeof e === "object" && depth < 5; depth++) {
    if (typeof e.code === "string" && /^E[A-Z0-9_]+$/.test(e.code)) return ERRNO_TEXT[e.code] ?? e.code;
    // The innermost message is the specific one ("fetch failed" wraps "bad port").
    if (typeof e.message === "string" && e.message.trim()) message = e.message;
    e = (e.cause ?? e.errors?.[0]) as typeof e;
  }
  // fetch refuses some ports outright (fetch.spec.whatwg.org/#port-blocking) and says only "bad port".
  if (message === "bad port") return "port blocked by fetch (a well-known port of another protocol)";
  return ((message || String(err)).split("\n")[0] ?? "").trim() || "unknown error";
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export const STORE_FLAGS = {
  "data-dir": { type: "string" },
  "database-url": { type: "string" },
} as const;

export function storeFrom(values: { "data-dir"?: string; "database-url"?: string }): { dataDir: string; databaseUrl?: string } {
  return {
    dataDir: values["data-dir"] ?? process.env.MAESTRO_DATA_DIR ?? ".maestro",
    databaseUrl: values["database-url"] ?? (process.env.DATABASE_URL || undefined),
  };
}

export function fail(message: string): never {
  throw new MaestroError("bad_request", message);
}
