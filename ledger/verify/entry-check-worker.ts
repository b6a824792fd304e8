// Worker thread body: checks batches of entries (leaf hash, canonical form, signature) for entry-check-pool.ts.
import { parentPort, workerData } from "node:worker_threads";
import type { JWK } from "jose";
import { checkEntries } from "./entry-check.ts";
import { eventKeySet } from "./event-signature.ts";
import type { VerifyEntry } from "./types.ts";

const keys = eventKeySet((workerData as { eventKeys: JWK[] }).eventKeys);

parentPort?.on("message", (msg: { id: number; entries: VerifyEntry[] }) => {
  let reply: { id: number; problem?: unknown; error?: string };
  try {
    reply = { id: msg.id, problem: checkEntries(msg.entries, keys) };
  } catch (err) {
    reply = { id: msg.id, error: err instanceof Error ? err.message : String(err) };
  }
  parentPort?.postMessage(reply);
});
