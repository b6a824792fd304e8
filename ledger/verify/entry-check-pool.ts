// Spreads per-entry checks over worker threads (Ed25519 verification is the verifier's main cost).
import { Worker } from "node:worker_threads";
import type { JWK } from "jose";
import { checkEntries, type EntryProblem } from "./entry-check.ts";
import { eventKeySet } from "./event-signature.ts";
import type { VerifyEntry } from "./types.ts";

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

interface Slot {
  worker: Worker;
  pending: Map<number, { resolve: (p: EntryProblem | null) => void; reject: (e: unknown) => void }>;
}

export function workerChecker(eventKeys: JWK[], size: number): EntryChecker {
  let nextId = 0;
  let failure: unknown = null;
  const slots: Slot[] = Array.from({ length: size }, () => {
    const worker = new Worker(new URL("./entry-check-worker.ts", import.meta.url), { workerData: { eventKeys } });
    const slot: Slot = { worker, pending: new Map() };
    worker.on("message", (msg: { id: number; problem?: EntryProblem | null; error?: string }) => {
      const p = slot.pending.get(msg.id);
      slot.pending.delete(msg.id);
      if (msg.error !== undefined) p?.reject(new Error(`entry check worker: ${msg.error}`));
      else p?.resolve(msg.problem ?? null);
    });
    const fail = (err: unknown) => {
      failure ??= err;
      for (const p of slot.pending.values()) p.reject(err);
      slot.pending.clear();
    };
    worker.on("error", fail);
    worker.on("exit", (code) => {
      if (slot.pending.size > 0) fail(new Error(`entry check worker exited with code ${code}`));
    });
    return slot;
  });
  return {
    check(entries) {
      if (failure) return Promise.reject(failure);
      // Least busy worker; batches are equal-sized, so this keeps both cores fed.
      const slot = slots.reduce((a, b) => (b.pending.size < a.pending.size ? b : a));
      const id = nextId++;
      return new Promise((resolve, reject) => {
        slot.pending.set(id, { resolve, reject });
        slot.worker.postMessage({ id, entries });
      });
    },
    async close() {
      await Promise.all(slots.map((s) => s.worker.terminate()));
    },
  };
}
