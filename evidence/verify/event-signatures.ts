// Every exported event's JWS, checked while the main thread hashes and parses. A large export's batches are posted to
// worker threads as they fill (10,000 Ed25519 checks are ~0.6 s of CPU); once its own checks are done, the main
// thread takes batches back from the end of the line (signature-batch.ts claims) until none is left unclaimed.
import type { JWK } from "jose";
import { eventKeySet, type EventKeys } from "../../ledger/verify/event-signature.ts";
import {
  CLAIMED_BY_SENDER,
  CLAIMED_BY_WORKER,
  claimBatch,
  claimedBy,
  newClaim,
  type SignatureBatch,
  signatureFailures,
  signatureWorkers,
} from "../../ledger/verify/signature-batch.ts";
import type { EventKey } from "./keys.ts";
import type { EventSignatureCheck } from "./verify-platform.ts";
import { itemAt } from "../../common/present.ts";

/** ~16 ms of Ed25519 work: small enough that the last batches spread evenly, large enough that messages are few. */
const BATCH = 250;

interface Sealed {
  batch: SignatureBatch;
  positions: number[];
}

export class EventSignatureChecks implements EventSignatureCheck {
  readonly #failed = new Map<number, string>();
  readonly #workers?: ReturnType<typeof signatureWorkers>;
  readonly #sealed: Sealed[] = [];
  readonly #replies: Array<Promise<void>> = [];
  readonly #batchSize: number;
  #keys: { jwks: JWK[]; set: EventKeys } = { jwks: [], set: new Map() };
  #next: Sealed = this.#empty();

  /** With workers > 0 the threads start now, so they boot while the caller is still reading and parsing. */
  constructor(workers: number, batchSize = BATCH) {
    if (workers > 0) this.#workers = signatureWorkers(workers);
    this.#batchSize = batchSize;
  }

  /** How many batches each side checked (or took, for a worker that died): for reports and tests. */
  claims(): { batches: number; byWorkers: number; here: number } {
    const by = this.#sealed.map((s) => claimedBy(s.batch));
    return {
      batches: by.length,
      byWorkers: by.filter((c) => c === CLAIMED_BY_WORKER).length,
      here: by.filter((c) => c === CLAIMED_BY_SENDER).length,
    };
  }

  /** The trusted event keys; events added before this call would be checked against none (and fail). */
  useKeys(keys: Map<string, EventKey>): void {
    const jwks = [...keys.values()].map((k) => k.jwk);
    this.#keys = { jwks, set: eventKeySet(jwks) };
    this.#next.batch.eventKeys = jwks;
  }

  /** Queues the check of one event: `position` names it in the result, `canonical` is its standard base64 bytes. */
  add(position: number, jws: string, canonical: string): void {
    const { batch, positions } = this.#next;
    batch.jws.push(jws);
    batch.canonical.push(canonical);
    positions.push(position);
    if (positions.length >= this.#batchSize) this.#seal();
  }

  /** Every failing position with its reason. A worker that dies fails each event it had claimed (never a pass). */
  async settle(): Promise<Map<number, string>> {
    this.#seal();
    for (let i = this.#sealed.length - 1; i >= 0; i--) {
      const { batch, positions } = itemAt(this.#sealed, i, "sealed batches");
      if (claimBatch(batch, CLAIMED_BY_SENDER)) this.#record(positions, signatureFailures(batch, this.#keys.set));
    }
    await Promise.all(this.#replies);
    return this.#failed;
  }

  async close(): Promise<void> {
    await this.#workers?.close();
  }

  #empty(): Sealed {
    return { batch: { eventKeys: this.#keys.jwks, jws: [], canonical: [], claim: newClaim() }, positions: [] };
  }

  #seal(): void {
    const sealed = this.#next;
    if (sealed.positions.length === 0) return;
    this.#sealed.push(sealed);
    this.#next = this.#empty();
    if (!this.#workers) return;
    this.#replies.push(
      this.#workers.run(sealed.batch).then(
        (failures) => {
          if (failures) this.#record(sealed.positions, failures); // null: this thread took the batch back
        },
        (err: Error) => {
          // Unclaimed batches are still taken up by settle(); one the worker took and did not finish fails.
          if (claimedBy(sealed.batch) !== CLAIMED_BY_WORKER) return;
          this.#record(
            sealed.positions,
            sealed.positions.map((_, i) => [i, `signature not checked: ${err.message}`]),
          );
        },
      ),
    );
  }

  #record(positions: number[], failures: Array<[number, string]>): void {
    // Failures name events by their place in the batch, which signatureFailures numbers from the batch itself.
    for (const [i, reason] of failures) this.#failed.set(itemAt(positions, i, "the batch's positions"), reason);
  }
}
