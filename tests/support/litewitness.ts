// A real C2SP tlog-witness for tests: litewitness (filippo.io/torchwood, scripts/bootstrap-witness.sh) with its
// Ed25519 key in an ssh-agent started here, configured with witnessctl to trust one log's origin and vkey.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { formatCosignerVkey } from "../../ledger/core/index.ts";
import { present } from "../../common/present.ts";

const BIN = join(import.meta.dirname, "..", "..", ".tools", "bin");
export const LITEWITNESS = join(BIN, "litewitness");
export const WITNESSCTL = join(BIN, "witnessctl");

export interface Litewitness {
  name: string;
  /** The cosigner vkey computed from the ssh key (and checked against the one litewitness logs). */
  vkey: string;
  /** Submission prefix for the server's witness list. */
  url: string;
  /** witnessctl list-logs: the size and root litewitness holds per origin. */
  logs(): Array<{ origin: string; size: number; root_hash: string }>;
  stop(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  const { port } = srv.address() as { port: number };
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

async function waitFor(check: () => boolean, what: string, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** The raw Ed25519 key inside an OpenSSH "ssh-ed25519 BASE64 comment" public key line. */
function sshEd25519Raw(pubLine: string): Uint8Array {
  const blob = Buffer.from(present(pubLine.split(" ")[1], "the public key line's base64"), "base64");
  const typeLen = blob.readUInt32BE(0);
  const keyLen = blob.readUInt32BE(4 + typeLen);
  return new Uint8Array(blob.subarray(8 + typeLen, 8 + typeLen + keyLen));
}

export async function startLitewitness(options: { name: string; origin: string; logVkey: string }): Promise<Litewitness> {
  const dir = mkdtempSync(join(tmpdir(), "lw-")); // short: the agent's socket path must fit sun_path
  const sock = join(dir, "agent.sock");
  const db = join(dir, "witness.db");
  const keyFile = join(dir, "key");
  execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "litewitness-test", "-f", keyFile]);
  const agent = spawn("ssh-agent", ["-D", "-a", sock], { stdio: "ignore" });
  await waitFor(() => existsSync(sock), "ssh-agent socket");
  execFileSync("ssh-add", ["-q", keyFile], { env: { ...process.env, SSH_AUTH_SOCK: sock }, stdio: "ignore" });
  const listed = execFileSync("ssh-keygen", ["-l", "-E", "sha256", "-f", `${keyFile}.pub`], { encoding: "utf8" });
  const fingerprint = present(listed.split(" ")[1], "the fingerprint ssh-keygen -l printed");
  execFileSync(WITNESSCTL, ["add-log", "-db", db, "-origin", options.origin]);
  execFileSync(WITNESSCTL, ["add-key", "-db", db, "-origin", options.origin, "-key", options.logVkey]);
  const vkey = formatCosignerVkey(options.name, sshEd25519Raw(readFileSync(`${keyFile}.pub`, "utf8")));
  const port = await freePort();
  let proc: ChildProcess | null = null;
  let stderr = "";

  const start = async () => {
    stderr = "";
    const p = spawn(
      LITEWITNESS,
      ["-listen", `127.0.0.1:${port}`, "-db", db, "-ssh-agent", sock, "-name", options.name, "-key", fingerprint],
      {
        stdio: ["ignore", "ignore", "pipe"],
      },
    );
    proc = p;
    p.stderr!.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    let exited = false;
    p.once("exit", () => {
      exited = true;
    });
    await waitFor(() => exited || /msg=listening/.test(stderr), "litewitness to listen");
    if (exited) throw new Error(`litewitness exited: ${stderr}`);
    const logged = /msg="verifier key" vkey="?([^"\s]+)/.exec(stderr)?.[1];
    if (logged !== vkey) throw new Error(`litewitness logs vkey ${logged}, computed ${vkey}`);
  };
  const stop = async () => {
    const p = proc;
    proc = null;
    if (!p || p.exitCode !== null) return;
    const gone = new Promise((r) => p.once("exit", r));
    p.kill("SIGINT");
    await gone;
  };
  await start();
  return {
    name: options.name,
    vkey,
    url: `http://127.0.0.1:${port}`,
    logs: () =>
      execFileSync(WITNESSCTL, ["list-logs", "-db", db], { encoding: "utf8" })
        .split("\n")
        .filter(Boolean)
        .map((l) => JSON.parse(l)),
    stop,
    start,
    close: async () => {
      await stop();
      agent.kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
