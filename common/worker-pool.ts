// Request/reply over a few worker threads, for CPU-bound work (Ed25519 checks) off the main thread.
// Each request goes to the least busy worker; if a worker dies, every request it holds fails, so a
// caller never mistakes a lost batch for a clean one.
import { getCompileCacheDir } from "node:module";
import { parentPort, Worker } from "node:worker_threads";

type Reply<Res> = { id: number; result: Res } | { id: number; error: string };

interface Slot<Res> {
  worker: Worker;
  pending: Map<number, { resolve: (r: Res) => void; reject: (e: unknown) => void }>;
}

export class WorkerPool<Req, Res> {
  readonly #slots: Array<Slot<Res>>;
  #nextId = 0;
  #failure: unknown = null;

  /** `script` must call serveRequests(); `workerData` reaches it as node:worker_threads' workerData. */
  constructor(script: URL, size: number, workerData: unknown, what: string) {
    this.#slots = Array.from({ length: Math.max(1, size) }, () => {
      const slot: Slot<Res> = { worker: new Worker(script, { workerData, env: workerEnv() }), pending: new Map() };
      slot.worker.on("message", (msg: Reply<Res>) => {
        const p = slot.pending.get(msg.id);
        slot.pending.delete(msg.id);
        if ("error" in msg) p?.reject(new Error(`${what} worker: ${msg.error}`));
        else p?.resolve(msg.result);
      });
      const fail = (err: unknown) => {
        this.#failure ??= err;
        for (const p of slot.pending.values()) p.reject(err);
        slot.pending.clear();
      };
      slot.worker.on("error", fail);
      // Also on a quiet exit (close(), or a crash between requests): a later run() must fail, not wait forever.
      slot.worker.on("exit", (code) => fail(new Error(`${what} worker exited with code ${code}`)));
      return slot;
    });
  }

  /** `transfer`: buffers in `request` that move to the worker (unusable here afterwards) instead of being copied. */
  run(request: Req, transfer: ArrayBuffer[] = []): Promise<Res> {
    if (this.#failure) return Promise.reject(this.#failure);
    // Batches are about equal in size, so the fewest pending keeps every core fed.
    const slot = this.#slots.reduce((a, b) => (b.pending.size < a.pending.size ? b : a));
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      slot.pending.set(id, { resolve, reject });
      slot.worker.postMessage({ id, request }, transfer);
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.#slots.map((s) => s.worker.terminate()));
  }
}

/**
 * A worker reads Node's compile cache setting from its environment, not from the enableCompileCache() call that
 * turned it on here (cli/main.ts): without it each worker strips and compiles its TypeScript again (~25 ms).
 * Only the workers get the variable, not the processes this one starts (agents' tools, tests in worktrees).
 */
function workerEnv(): NodeJS.ProcessEnv {
  const cacheDir = getCompileCacheDir();
  return cacheDir && !process.env.NODE_COMPILE_CACHE ? { ...process.env, NODE_COMPILE_CACHE: cacheDir } : process.env;
}

/** The worker side: answers each request with handle()'s result, or its error message. */
export function serveRequests<Req, Res>(handle: (request: Req) => Res): void {
  parentPort?.on("message", (msg: { id: number; request: Req }) => {
    let reply: Reply<Res>;
    try {
      reply = { id: msg.id, result: handle(msg.request) };
    } catch (err) {
      reply = { id: msg.id, error: err instanceof Error ? err.message : String(err) };
    }
    parentPort?.postMessage(reply);
  });
}
