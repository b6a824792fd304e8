// The container image's start path, without a Docker engine: the data directory prepared as the
// Dockerfile prepares it, the same entrypoint and healthcheck run as an unprivileged user.
import { execFileSync, spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, chmodSync, mkdirSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const ROOT = new URL("../..", import.meta.url).pathname;
const NOBODY = "65534";
const asNobody = ["--reuid", NOBODY, "--regid", NOBODY, "--clear-groups"];
const env = { ...process.env, PATH: `${join(ROOT, "node_modules/.bin")}:${process.env.PATH}` };

/** Switching to another user needs root, and that user must be able to read the checkout. */
function canRunAsNobody(): boolean {
  if (process.getuid?.() !== 0) return false;
  const probe = spawnSync("setpriv", [...asNobody, "test", "-r", join(ROOT, "cli/main.ts")]);
  return probe.status === 0;
}

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  const port = (srv.address() as { port: number }).port;
  await new Promise((r) => srv.close(r));
  return port;
}

function runAsNobody(args: string[], extraEnv: Record<string, string>) {
  return spawnSync("setpriv", [...asNobody, ...args], { cwd: ROOT, env: { ...env, ...extraEnv }, encoding: "utf8", timeout: 30_000 });
}

describe.runIf(canRunAsNobody())("container start path (unprivileged user)", () => {
  const dir = mkdtempSync(join(tmpdir(), "maestro-container-"));
  chmodSync(dir, 0o755);
  let server: ChildProcess | undefined;
  afterAll(() => {
    server?.kill("SIGTERM");
    rmSync(dir, { recursive: true, force: true });
  });

  it("is the path the Dockerfile and compose file take", () => {
    const dockerfile = readFileSync(join(ROOT, "Dockerfile"), "utf8");
    expect(dockerfile).toMatch(/RUN sh scripts\/container\/prepare-data\.sh \/data node:node/);
    expect(dockerfile).toMatch(/USER node/);
    expect(dockerfile).toMatch(/HEALTHCHECK .*scripts\/container\/healthcheck\.ts/);
    expect(dockerfile).toMatch(/CMD \["sh", "scripts\/container\/start\.sh"\]/);
    const compose = readFileSync(join(ROOT, "docker-compose.yml"), "utf8");
    expect(compose.match(/healthcheck:/g)).toHaveLength(2);
    expect(compose).toMatch(/scripts\/container\/healthcheck\.ts/);
  });

  it("refuses a root-owned data directory with one line saying how to fix it", () => {
    const data = join(dir, "root-owned");
    mkdirSync(data, { mode: 0o755 });
    const r = runAsNobody(["sh", "scripts/container/start.sh"], { MAESTRO_DATA_DIR: data, MAESTRO_PORT: "1" });
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toContain(`data directory ${data} is not writable by uid ${NOBODY}`);
  });

  it("starts on a prepared data directory, turns healthy, and takes the documented first token", async () => {
    const data = join(dir, "data");
    execFileSync("sh", ["scripts/container/prepare-data.sh", data, `${NOBODY}:${NOBODY}`], { cwd: ROOT });
    const port = String(await freePort());
    const serverEnv = { ...env, MAESTRO_DATA_DIR: data, MAESTRO_PORT: port };
    const health = () => runAsNobody(["node", "scripts/container/healthcheck.ts"], { MAESTRO_PORT: port });
    expect(health().status, "unhealthy before start").toBe(1);

    server = spawn("setpriv", [...asNobody, "sh", "scripts/container/start.sh"], {
      cwd: ROOT,
      env: serverEnv,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let log = "";
    server.stdout!.on("data", (d) => (log += d));
    server.stderr!.on("data", (d) => (log += d));
    const deadline = Date.now() + 45_000;
    while (health().status !== 0) {
      if (Date.now() > deadline || server.exitCode !== null) throw new Error(`server never turned healthy:\n${log}`);
      await new Promise((r) => setTimeout(r, 250));
    }

    // The first token, as docs/container.md says: `maestro token issue` on the same data directory.
    const issued = runAsNobody(
      ["bin/maestro", "token", "issue", "--role", "admin", "--sub", "ops@example.com", "--ttl", "10m", "--data-dir", data],
      {},
    );
    expect(issued.status, issued.stderr).toBe(0);
    const token = issued.stdout.trim();
    const res = await fetch(`http://127.0.0.1:${port}/v1/waivers`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    const keys = spawnSync("stat", ["-c", "%U %a", join(data, "keys")], { encoding: "utf8" }).stdout.trim();
    expect(keys).toBe("nobody 700");
  });
});
