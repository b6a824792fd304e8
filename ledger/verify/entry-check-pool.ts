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
  close(): Promise<void>;
}

/** Same checks in the calling thread: for tiny logs, tests, and hosts without worker threads. */
export function inlineChecker(eventKeys: JWK[]): EntryChecker {
  const keys = eventKeySet(eventKeys);
  return { check: async (entries) => checkEntries(entries, keys), close: async () => {} };
}

export function workerChecker(eventKeys: JWK[], size: number): EntryChecker {
  const pool = new WorkerPool<ArrayBuffer, EntryProblem | null>(
    new URL("./entry-check-worker.ts", import.meta.url),
    size,
    { eventKeys },
    "entry check",
  );
  return {
    check: (entries) => {
      const packed = packEntries(entries);
      return pool.run(packed, [packed]);
    },
    close: () => pool.close(),
  };
}
