#!/usr/bin/env node
// The `maestro` command: finds the subcommand, runs it, and turns any failure into one readable line and exit ≠ 0.
import { enableCompileCache } from "node:module";
import { isMaestroError } from "../common/errors.ts";
import { UsageError } from "./command.ts";
import { type CommandEntry, commands } from "./commands/index.ts";

// V8's code cache for every module loaded from here on (the commands load lazily), in Node's own cache folder
// (os.tmpdir()/node-compile-cache; NODE_DISABLE_COMPILE_CACHE=1 turns it off). It keeps type-stripped TypeScript
// too: measured, a second `maestro evidence verify` starts ~60 ms sooner. Worker threads get it from
// common/worker-pool.ts. bin/maestro turns it on sooner (cli/launch.mjs); this call covers `node cli/main.ts`.
enableCompileCache();

function help(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    "Usage: maestro <command> [flags]   (maestro <command> --help for its flags)",
    "",
    "Commands:",
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    "",
  ].join("\n");
}

function findCommand(argv: string[]): { entry: CommandEntry; rest: string[] } | undefined {
  // Longest match first, so "ledger verify" wins over a hypothetical "ledger".
  for (const words of [3, 2, 1]) {
    const name = argv.slice(0, words).join(" ");
    const entry = commands.find((c) => c.name === name);
    if (entry) return { entry, rest: argv.slice(words) };
  }
  return undefined;
}

async function main(argv: string[]): Promise<number> {
  // Usage asked for goes to stdout (exit 0); usage because a command is missing is an error: stderr, exit 2.
  if (argv.length === 0 || argv[0] === "--help" || argv[0] === "-h" || argv[0] === "help") {
    (argv.length === 0 ? process.stderr : process.stdout).write(help());
    return argv.length === 0 ? 2 : 0;
  }
  const found = findCommand(argv);
  if (!found) {
    const group = commands.filter((c) => c.name.startsWith(`${argv[0]} `));
    if (group.length > 0 && (argv[1] === undefined || argv[1] === "--help" || argv[1] === "-h")) {
      (argv[1] ? process.stdout : process.stderr).write(
        `Usage: maestro ${argv[0]} <${group.map((c) => c.name.split(" ")[1]).join("|")}> [flags]\n\n${group.map((c) => `  ${c.name}  ${c.summary}`).join("\n")}\n`,
      );
      return argv[1] ? 0 : 2;
    }
    process.stderr.write(`maestro: unknown command "${argv.slice(0, 2).join(" ")}" (see maestro --help)\n`);
    return 2;
  }
  const command = await found.entry.load();
  const code = await command.run(found.rest);
  return typeof code === "number" ? code : 0;
}

/** Every failure is one stderr line, whatever a library put in its message. */
function oneLine(message: string): string {
  return message.replace(/\s*\n\s*/g, " ").trim();
}

// A reader that stops early (`maestro policy test -v | head`) closes the pipe: the rest of the output has nowhere to
// go, which is not a failure of the command. Without this, the next write threw EPIPE as an unhandled error.
process.stdout.on("error", (err: NodeJS.ErrnoException) => {
  if (err.code !== "EPIPE") throw err;
  process.exit(process.exitCode ?? 0);
});

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof UsageError) {
      process.stderr.write(`maestro: ${oneLine(err.message)}\n`);
      process.exitCode = 2;
    } else if (isMaestroError(err)) {
      process.stderr.write(`maestro: ${oneLine(err.message)}${err.field ? ` (field ${err.field})` : ""}\n`);
      process.exitCode = 1;
    } else {
      process.stderr.write(`maestro: ${oneLine(err instanceof Error ? err.message : String(err))}\n`);
      if (process.env.MAESTRO_DEBUG) console.error(err);
      process.exitCode = 1;
    }
  },
);
