// bin/maestro, the command users run: which Node it starts and with which flags, seen through a stand-in Node that
// prints its arguments (a copy of the launcher beside a fake node_modules/.bin/node).
import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const copy = mkdtempSync(join(tmpdir(), "maestro-launcher-"));
mkdirSync(join(copy, "bin"));
mkdirSync(join(copy, "node_modules", ".bin"), { recursive: true });
copyFileSync(join(ROOT, "bin", "maestro"), join(copy, "bin", "maestro"));
writeFileSync(join(copy, "node_modules", ".bin", "node"), '#!/bin/sh\nfor a in "$@"; do printf "%s\\n" "$a"; done\n');
chmodSync(join(copy, "node_modules", ".bin", "node"), 0o755);
afterAll(() => rmSync(copy, { recursive: true, force: true }));

/** The arguments the launcher gives Node for `maestro <args>`. */
const nodeArgs = (...args: string[]) =>
  execFileSync(join(copy, "bin", "maestro"), args, { encoding: "utf8" })
    .trimEnd()
    .split("\n");

describe("bin/maestro", () => {
  it("starts ledger commands on V8's baseline WebAssembly compiler, before the script and its arguments", () => {
    expect(nodeArgs("ledger", "verify", "--json")).toEqual([
      "--disable-warning=ExperimentalWarning",
      "--liftoff-only",
      join(copy, "cli", "launch.mjs"),
      "ledger",
      "verify",
      "--json",
    ]);
  });

  it("leaves the server and every other command on V8's default tiers", () => {
    for (const command of ["serve", "evidence", "keys", "--help"]) {
      expect(nodeArgs(command), command).not.toContain("--liftoff-only");
      expect(nodeArgs(command).slice(-2), command).toEqual([join(copy, "cli", "launch.mjs"), command]);
    }
    // Not a ledger command because an argument later says "ledger".
    expect(nodeArgs("evidence", "ledger")).not.toContain("--liftoff-only");
  });

  it("runs the CLI through its JavaScript entry, exit codes and output unchanged", () => {
    const real = (...args: string[]) => spawnSync(join(ROOT, "bin", "maestro"), args, { encoding: "utf8" });
    const help = real("--help");
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^Usage: maestro <command>/);
    const unknown = real("no-such-command");
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toBe('maestro: unknown command "no-such-command" (see maestro --help)\n');
  });
});
