// Checks a batch of event signatures and names every one that fails, not only the first: an evidence export's
// verifier reports each bad event. The worker form spreads the Ed25519 work (61 µs per event here) over cores.
import { itemAt } from "../../common/present.ts";
import { Buffer } from "node:buffer";
import type { JWK } from "jose";
import { WorkerPool } from "../../common/worker-pool.ts";
import { checkEventSignature, type EventKeys } from "./event-signature.ts";

/** Parallel arrays: detached-payload JWS and the event's canonical bytes in standard base64 (as exported). */
export interface SignatureBatch {
  /** The trusted event keys. Sent with every batch, so workers can start before the keys are known. */
  eventKeys: JWK[];
  jws: string[];
  canonical: string[];
  /**
   * One Int32 in shared memory: whoever first swaps it from 0 (a worker, or the thread that sent the batch) checks the
   * batch, so a batch already posted to a busy worker can still be taken back. A worker that loses answers null.
   */
  claim: Int32Array;
}

export const CLAIMED_BY_WORKER = 1;
export const CLAIMED_BY_SENDER = 2;

/** [position in the batch, reason] for each signature that does not verify. */
export type SignatureFailures = Array<[number, string]>;

export function newClaim(): Int32Array {
  return new Int32Array(new SharedArrayBuffer(4));
}

/** True for exactly one caller per batch, on whichever thread. */
export function claimBatch(batch: SignatureBatch, by: typeof CLAIMED_BY_WORKER | typeof CLAIMED_BY_SENDER): boolean {
  return Atomics.compareExchange(batch.claim, 0, 0, by) === 0;
}

export function claimedBy(batch: SignatureBatch): number {
  return Atomics.load(batch.claim, 0);
}

export function signatureFailures(batch: SignatureBatch, keys: EventKeys): SignatureFailures {
  const out: SignatureFailures = [];
  for (const [i, jws] of batch.jws.entries()) {
    const problem = checkEventSignature(Buffer.from(itemAt(batch.canonical, i, "batch canonical entries"), "base64"), jws, keys);
    if (problem !== null) out.push([i, problem]);
  }
  return out;
}

/** Workers answer each batch with its failures, or null when another thread claimed it first. */
export function signatureWorkers(size: number): WorkerPool<SignatureBatch, SignatureFailures | null> {
  return new WorkerPool(new URL("./signature-check-worker.ts", import.meta.url), size, null, "signature check");
}
