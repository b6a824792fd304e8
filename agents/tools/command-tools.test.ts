// install_package resolves the lock file npm would write before the decision, in a scratch copy, with a scripted npm.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { installPackageTool } from "./command-tools.ts";
import type { ExecRequest, ExecResult } from "./exec.ts";
import type { ToolEnv } from "./tool.ts";
import { itemAt } from "../../common/present.ts";

const LOCK = JSON.stringify({ lockfileVersion: 3, packages: { "node_modules/left-pad": { version: "1.3.0", license: "WTFPL" } } });

describe("install_package resolves the lock file it is about to write", () => {
  let workdir: string;
  let seen: ExecRequest[];
  beforeEach(() => {
    workdir = mkdtempSync(join(tmpdir(), "maestro-install-"));
    writeFileSync(join(workdir, "package.json"), '{"name":"app"}');
    seen = [];
  });
  afterEach(() => rmSync(workdir, { recursive: true, force: true }));

  const env = (npm: (request: ExecRequest) => ExecResult): ToolEnv => ({
    workdir,
    exec: async (request) => {
      seen.push(request);
      return npm(request);
    },
    fetch,
    testCommand: "npm test",
    secret: () => undefined,
  });

  it("runs npm with --package-lock-only --ignore-scripts in a scratch copy and returns the lock file it wrote", async () => {
    const lock = await installPackageTool.resolveContent!(
      { name: "left-pad", version: "1.3.0" },
      env((request) => {
        // The manifest was copied over; the worktree's own lock file did not exist, and nothing fails for it.
        expect(readFileSync(join(request.cwd, "package.json"), "utf8")).toBe('{"name":"app"}');
        writeFileSync(join(request.cwd, "package-lock.json"), LOCK);
        return { code: 0, output: "", timedOut: false };
      }),
    );
    expect(lock).toBe(LOCK);
    expect(seen).toHaveLength(1);
    expect(itemAt(seen, 0, "exec requests").argv).toEqual([
      "npm",
      "install",
      "--package-lock-only",
      "--ignore-scripts",
      "--no-audit",
      "--no-fund",
      "left-pad@1.3.0",
    ]);
    expect(itemAt(seen, 0, "exec requests").cwd).not.toBe(workdir);
    expect(existsSync(itemAt(seen, 0, "exec requests").cwd)).toBe(false);
    // The worktree is untouched: the install itself runs only once it is allowed.
    expect(existsSync(join(workdir, "package-lock.json"))).toBe(false);
  });

  it("gives nothing when npm cannot resolve it (the call is then decided without content)", async () => {
    for (const result of [
      { code: 1, output: "E404", timedOut: false },
      { code: null, output: "", timedOut: true },
      { code: 0, output: "", timedOut: false }, // exit 0 but no lock file written
    ])
      expect(
        await installPackageTool.resolveContent!(
          { name: "nope" },
          env(() => result),
        ),
      ).toBeUndefined();
    expect(seen.map((r) => r.argv.at(-1))).toEqual(["nope@latest", "nope@latest", "nope@latest"]);
    expect(seen.every((r) => !existsSync(r.cwd))).toBe(true);
  });
});
