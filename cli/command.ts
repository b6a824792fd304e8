// The shape of a CLI command and the shared helpers for flags, help and output.
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
    const parsed = parseArgs({ args: argv, options: { ...options, help: { type: "boolean", short: "h" } }, allowPositionals, strict: true });
    if ((parsed.values as Record<string, unknown>).help) {
      process.stdout.write(`${command.usage.trim()}\n`);
      process.exit(0);
    }
    return parsed;
  } catch (err) {
    if (err instanceof Error && "code" in err && String((err as { code: string }).code).startsWith("ERR_PARSE_ARGS")) {
      throw new UsageError(`${err.message} (see maestro ${command.name} --help)`);
    }
    throw err;
  }
}

export function requireFlag(value: string | undefined, flag: string): string {
  if (!value) throw new UsageError(`missing --${flag}`);
  return value;
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
