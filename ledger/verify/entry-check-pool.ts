// Spreads per-entry checks over worker threads (Ed25519 verification is the verifier's main cost).
import type { JWK } from "jose";
import { packEntries } from "./entry-batch.ts";
import { checkEntries, type EntryProblem } from "./entry-check.ts";
import { eventKeySet } from "./event-signature.ts";
import type { VerifyEntry } from "./types.ts";
import { WorkerPool } from "../../common/worker-pool.ts";

export interface EntryChecker {
  /** Resolves with the first problem of the batch (index order), or null. */
  check(entries: VerifyEntry[]): Promise<EntryProblem | null>;
}

/** What a check worker is asked: a packed batch (entry-batch.ts) and the trusted event keys as JSON text. */
export interface EntryCheckRequest {
  keys: string;
  packed: ArrayBuffer;
}

/** Check worker threads. Each batch carries its keys, so a key.added event needs no new threads. */
export interface EntryCheckWorkers {
  /** How many threads check batches. */
  readonly size: number;
  run(request: EntryCheckRequest): Promise<EntryProblem | null>;
  close(): Promise<void>;
}

export function startEntryCheckWorkers(threads: number): EntryCheckWorkers {
  const size = Math.max(1, threads);
  const pool = new WorkerPool<EntryCheckRequest, EntryProblem | null>(
    new URL("./entry-check-worker.ts", import.meta.url),
    size,
    null,
    "entry check",
  );
  return { size, run: (request) => pool.run(request, [request.packed]), close: () => pool.close() };
}

/** Same checks in the calling thread: for tiny logs, tests, and hosts without worker threads. */
export function inlineChecker(eventKeys: JWK[]): EntryChecker {
  const keys = eventKeySet(eventKeys);
  return { check: async (entries) => checkEntries(entries, keys) };
}

/** Checks on `workers` under one key set. */
export function workerChecker(workers: EntryCheckWorkers, eventKeys: JWK[]): EntryChecker {
  const keys = JSON.stringify(eventKeys);
  return { check: (entries) => workers.run({ keys, packed: packEntries(entries) }) };
}
