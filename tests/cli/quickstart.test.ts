// Runs docs/quickstart.md: every ```sh block, in order, as one bash script in a copy of the repository, against the server it starts.
import { execFileSync, spawn } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { present } from "../../common/present.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const DOC = join(ROOT, "docs", "quickstart.md");

/** The ```sh blocks of a Markdown file, in order (other fences, e.g. ```yaml, are shown, not run). */
export function shellBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/^```sh\n([\s\S]*?)^```$/gm)].map((m) => present(m[1], "a sh block's body"));
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/** The repository as a fresh clone has it (tracked and new files, not ignored ones), with node_modules and the pinned opa linked in. */
function copyRepository(): string {
  const dir = mkdtempSync(join(tmpdir(), "maestro-quickstart-"));
  const files = execFileSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], { cwd: ROOT, encoding: "utf8" })
    .split("\0")
    .filter(Boolean);
  for (const file of files) {
    try {
      mkdirSync(dirname(join(dir, file)), { recursive: true });
      cpSync(join(ROOT, file), join(dir, file));
    } catch (err) {
      if ((err as { code?: string }).code !== "ENOENT") throw err; // deleted in the work tree, not yet in git
    }
  }
  symlinkSync(join(ROOT, "node_modules"), join(dir, "node_modules"));
  mkdirSync(join(dir, ".tools"));
  symlinkSync(join(ROOT, ".tools", "bin"), join(dir, ".tools", "bin"));
  return dir;
}

describe("docs/quickstart.md", () => {
  let dir: string | undefined;
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("has the three journeys' commands in shell blocks, using bin/maestro", () => {
    const blocks = shellBlocks(readFileSync(DOC, "utf8"));
    expect(blocks.length).toBeGreaterThan(10);
    const all = blocks.join("\n");
    expect(all).not.toMatch(/^\s*npx maestro/m);
    for (const step of [
      "policy test",
      "policy build",
      "policy activate",
      "runset register",
      "mediate",
      "waiver request",
      "waiver approve",
      "hold place",
      "release publish",
      "evidence export",
      "evidence verify",
    ]) {
      expect(all, step).toContain(`bin/maestro ${step}`);
    }
  });

  it("runs end to end: denied with the new reason, allowed by a waiver until it expires, held, published, verified, tamper caught", async () => {
    dir = copyRepository();
    const port = await freePort();
    const script = shellBlocks(readFileSync(DOC, "utf8"))
      .join("\n")
      .replaceAll("127.0.0.1:8787", `127.0.0.1:${port}`)
      .replaceAll("--port 8787", `--port ${port}`);
    const env: Record<string, string | undefined> = { ...process.env, PATH: `${join(ROOT, "node_modules", ".bin")}:${process.env.PATH}` };
    for (const name of Object.keys(env)) if (/^MAESTRO_|^DATABASE_URL$/.test(name)) delete env[name];
    // -e: a step that fails stops the run (the doc marks expected refusals with `|| true`); the trap stops the server.
    const prelude = "set -euo pipefail\ntrap 'kill $(jobs -p) 2>/dev/null || true' EXIT\n";
    delete env.BASH_ENV;
    const run = spawn("bash", ["--norc", "--noprofile", "-c", `${prelude}${script}`], { cwd: dir, env: env as NodeJS.ProcessEnv });
    let stdout = "";
    let stderr = "";
    run.stdout.on("data", (d: Buffer) => (stdout += d));
    run.stderr.on("data", (d: Buffer) => (stderr += d));
    const code = await new Promise<number | null>((resolve) => run.on("close", resolve));
    const log = () =>
      `${stdout}\n--- stderr ---\n${stderr}\n--- server.log ---\n${readFileSync(join(dir!, "server.log"), "utf8").slice(-3000)}`;
    expect(code, log()).toBe(0);

    // Security: allowed before, denied with the new reason after activation.
    expect(stdout, log()).toMatch(/^allow: network\.egress on pastebin\.com/m);
    expect(stdout, log()).toMatch(/^activated sha256:[0-9a-f]{64}$/m);
    expect(stdout, log()).toMatch(/^deny: network\.egress on pastebin\.com[^\n]*\n {2}paste_site: egress to pastebin\.com is denied/m);
    // Engineer: denied, approved by someone else only, allowed with the waiver, denied again once it expired.
    expect(stderr, log()).toMatch(/^maestro: 403 forbidden: this action needs role security/m);
    expect(stdout, log()).toMatch(/^allow: repo\.write on src\/login\.ts[\s\S]*waivers used: /m);
    expect(stdout.match(/^deny: repo\.write on src\/login\.ts[^\n]*\n {2}no_grant/gm), log()).toHaveLength(2);
    expect(stdout, log()).toMatch(/ expired {2}repo\.write/);
    // Auditor: held, published after the clear, exported, verified offline, tamper caught.
    expect(stderr, log()).toMatch(/^maestro: 409 release_blocked: .*hold_active/m);
    expect(stdout, log()).toMatch(/^published release app-1\.2\.0: acme\/app 1\.2\.0, published at \S+ by releaser/m);
    expect(stderr, log()).toContain(`reading http://127.0.0.1:${port} (MAESTRO_URL)`);
    expect(stdout, log()).toMatch(/^verified: \d+ events in \d+ ms$/m);
    expect(stdout, log()).toMatch(/^NOT verified; failed parts: /m);
    expect(stdout, log()).toMatch(/^ledger verified: \d+ entries/m);
  }, 600_000);
});
