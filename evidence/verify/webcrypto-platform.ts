// The evidence verifier on WebCrypto (Ed25519 in SubtleCrypto), as the console's "Verify in this browser" runs it:
// every event's JWS is checked by webcrypto-signatures.ts (the same event-signature.ts code the CLI runs). Chromium
// runs crypto.subtle.verify on the calling thread, so with workers given (the console's nested signature workers)
// batches of events go to them as they fill, and the verifier's own thread only hashes, parses and proves.
import { itemAt } from "../../common/present.ts";
import type { EventKey } from "./keys.ts";
import type { EventSignatureCheck, VerifyPlatform } from "./verify-platform.ts";
import {
  checkEventJws,
  ed25519,
  type WebCryptoBatch,
  type WebCryptoBatchReply,
  type WebCryptoKeys,
  webCryptoKeys,
} from "./webcrypto-signatures.ts";

/** ~25 ms of Ed25519 in Chromium: few messages, and the last batches still spread over the workers. */
const BATCH = 250;

/** What a signature worker must offer: a Web Worker, or a stand-in in tests. */
export interface SignatureWorker {
  postMessage(batch: WebCryptoBatch): void;
  onmessage: ((event: { data: WebCryptoBatchReply }) => void) | null;
  onerror: ((event: { message?: string }) => void) | null;
  terminate(): void;
}

interface InFlight {
  positions: number[];
  resolve: (failures: Array<[number, string]>) => void;
}

/** A batch's events, by file position, and the worker it goes to. */
class Batches {
  readonly #workers: SignatureWorker[];
  readonly #inFlight = new Map<number, InFlight>();
  readonly #replies: Array<Promise<Array<[number, string]>>> = [];
  #nextId = 0;
  #nextWorker = 0;

  constructor(workers: SignatureWorker[]) {
    this.#workers = workers;
    for (const worker of workers) {
      worker.onmessage = ({ data }) => this.#answer(data);
      // A worker that fails (it could not load, or threw) fails every batch still out: never a pass unchecked.
      worker.onerror = (event) => {
        for (const id of [...this.#inFlight.keys()]) this.#answer({ id, error: event.message ?? "the signature worker failed" });
      };
    }
  }

  /** Posts one batch, round robin: the workers boot together and each batch is the same work. */
  post(batch: Omit<WebCryptoBatch, "id">, positions: number[]): void {
    const id = this.#nextId++;
    this.#replies.push(new Promise((resolve) => this.#inFlight.set(id, { positions, resolve })));
    const worker = itemAt(this.#workers, this.#nextWorker++ % this.#workers.length, "signature workers");
    worker.postMessage({ id, ...batch });
  }

  /** [file position, reason] of every failure, once every batch is answered. */
  async settle(): Promise<Array<[number, string]>> {
    return (await Promise.all(this.#replies)).flat();
  }

  close(): void {
    for (const worker of this.#workers) worker.terminate();
  }

  #answer(reply: WebCryptoBatchReply): void {
    const batch = this.#inFlight.get(reply.id);
    if (!batch) return;
    this.#inFlight.delete(reply.id);
    const { positions } = batch;
    if ("error" in reply) return batch.resolve(positions.map((p) => [p, `signature not checked: ${reply.error}`]));
    // A reply naming a position outside its batch is a broken worker: the whole batch fails rather than pass.
    if (reply.failures.some(([i]) => positions[i] === undefined))
      return batch.resolve(positions.map((p) => [p, "signature not checked: the signature worker answered out of range"]));
    batch.resolve(reply.failures.map(([i, reason]) => [positions[i]!, reason]));
  }
}

class WebCryptoSignatureChecks implements EventSignatureCheck {
  readonly #failed = new Map<number, string>();
  readonly #pending: Array<Promise<void>> = [];
  readonly #batches?: Batches;
  #keys: WebCryptoKeys = webCryptoKeys([]);
  #eventKeys: WebCryptoBatch["eventKeys"] = [];
  #next = { jws: [] as string[], canonical: [] as string[], positions: [] as number[] };

  constructor(workers: SignatureWorker[]) {
    if (workers.length > 0) this.#batches = new Batches(workers);
  }

  useKeys(keys: Map<string, EventKey>): void {
    this.#eventKeys = [...keys.values()].map((k) => k.jwk);
    this.#keys = webCryptoKeys(this.#eventKeys);
  }

  add(position: number, jws: string, canonical: string, bytes: Uint8Array): void {
    if (!this.#batches) {
      this.#pending.push(checkEventJws(bytes, jws, this.#keys).then((problem) => this.#record([[position, problem]])));
      return;
    }
    const next = this.#next;
    next.jws.push(jws);
    next.canonical.push(canonical);
    next.positions.push(position);
    if (next.positions.length >= BATCH) this.#seal();
  }

  async settle(): Promise<Map<number, string>> {
    this.#seal();
    if (this.#batches) this.#record(await this.#batches.settle());
    await Promise.all(this.#pending);
    return this.#failed;
  }

  async close(): Promise<void> {
    this.#batches?.close();
  }

  #seal(): void {
    const { jws, canonical, positions } = this.#next;
    if (positions.length === 0 || !this.#batches) return;
    this.#batches.post({ eventKeys: this.#eventKeys, jws, canonical }, positions);
    this.#next = { jws: [], canonical: [], positions: [] };
  }

  #record(results: Array<[number, string | null]>): void {
    for (const [position, problem] of results) if (problem !== null) this.#failed.set(position, problem);
  }
}

/** Event signatures on this thread: what a test on Node, or a browser without workers, runs. */
export const webCryptoPlatform: VerifyPlatform = {
  eventSignatures: () => new WebCryptoSignatureChecks([]),
  ed25519,
};

/**
 * Event signatures on `count` workers from `spawn`, started as verification starts so they boot while the file is parsed.
 * Where no worker can be started (a browser without nested workers), this thread checks them: slower, never skipped.
 */
export function webCryptoPlatformWithWorkers(spawn: () => SignatureWorker, count: number): VerifyPlatform {
  const start = (): SignatureWorker[] => {
    const workers: SignatureWorker[] = [];
    try {
      while (workers.length < count) workers.push(spawn());
    } catch {
      for (const worker of workers.splice(0)) worker.terminate();
    }
    return workers;
  };
  return { eventSignatures: () => new WebCryptoSignatureChecks(start()), ed25519 };
}
