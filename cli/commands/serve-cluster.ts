// `maestro serve --workers N`: N server processes sharing one port (node:cluster) on one PostgreSQL.
//
// Safe because every process appends under the same ledger_head row lock (no index reuse, no fork)
// and reads fresh per-call state; the first worker migrates and ledgers the policy in force before
// the others start, and only it issues checkpoints on the cadence.
import cluster from "node:cluster";
import type { ServerConfig } from "../../server/index.ts";

interface Ready {
  type: "maestro:listening";
  port: number;
}

/** In the primary: fork workers one after the other, report the shared port, forward shutdown. */
export async function runPrimary(workers: number, config: ServerConfig): Promise<void> {
  let port = 0;
  for (let i = 0; i < workers; i++) {
    const worker = cluster.fork({ MAESTRO_WORKER_INDEX: String(i) });
    port = await new Promise<number>((resolve, reject) => {
      worker.on("message", (msg: Ready) => msg?.type === "maestro:listening" && resolve(msg.port));
      worker.once("exit", (code) => reject(new Error(`worker ${i} exited with code ${code} before listening`)));
    });
  }
  process.stderr.write(
    `maestro: listening on http://${config.host}:${port} (store: postgres, ${workers} worker processes, origin ${config.origin})\n`,
  );
  let stopping = false;
  cluster.on("exit", (worker, code, signal) => {
    if (stopping) return;
    // A worker that dies takes no requests with it (fail closed); the rest keep serving. Say so loudly.
    process.stderr.write(
      `maestro: worker ${worker.process.pid} exited (${signal ?? code}); ${Object.keys(cluster.workers ?? {}).length} left\n`,
    );
  });
  await new Promise<void>((resolve) => {
    const stop = () => {
      stopping = true;
      process.stderr.write("maestro: shutting down\n");
      const alive = Object.values(cluster.workers ?? {});
      if (alive.length === 0) return resolve();
      let left = alive.length;
      for (const w of alive) {
        w?.once("exit", () => --left === 0 && resolve());
        w?.kill("SIGTERM");
      }
    };
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
}

export function isClusterWorker(): boolean {
  return cluster.isWorker;
}

export function workerIndex(): number {
  return Number(process.env.MAESTRO_WORKER_INDEX ?? 0);
}

export function reportListening(port: number): void {
  process.send?.({ type: "maestro:listening", port } satisfies Ready);
}
