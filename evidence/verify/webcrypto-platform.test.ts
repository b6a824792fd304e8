// Event signatures on WebCrypto, on this thread and on signature workers: the same failures at the same file positions,
// and a worker that fails or cannot start never lets an event pass unchecked.
import { Buffer } from "node:buffer";
import { describe, expect, it } from "vitest";
import { buildTestLog } from "../../ledger/verify/test-log.ts";
import { keySetFromJwks } from "./keys.ts";
import type { VerifyPlatform } from "./verify-platform.ts";
import { type SignatureWorker, webCryptoPlatform, webCryptoPlatformWithWorkers } from "./webcrypto-platform.ts";
import { type WebCryptoBatch, type WebCryptoBatchReply, webCryptoBatchFailures, webCryptoKeys } from "./webcrypto-signatures.ts";

const EVENTS = 700; // three batches of 250 (two full, one short), so both workers get some
const BAD = [0, 249, 250, 512, 699];

async function exported() {
  const log = await buildTestLog(EVENTS);
  const keys = await keySetFromJwks({ keys: log.eventKeys });
  const events = log.entries.map((e, i) => {
    const sig = BAD.includes(i) ? e.signature.slice(0, -4) + (e.signature.endsWith("AAAA") ? "BBBB" : "AAAA") : e.signature;
    return { jws: sig, canonical: Buffer.from(e.canonical).toString("base64"), bytes: e.canonical };
  });
  return { keys, events };
}

/**
 * console/worker/signature-worker.ts in this process: each batch structured-cloned as postMessage would, answered
 * asynchronously by the same webCryptoBatchFailures; `broken` makes it fail the way a Web Worker reports an error.
 */
function inProcessWorker(log: number[], broken = false): SignatureWorker {
  const worker: SignatureWorker = {
    onmessage: null,
    onerror: null,
    terminate: () => {},
    postMessage(message: WebCryptoBatch) {
      const batch = structuredClone(message);
      log.push(batch.id);
      setTimeout(() => {
        if (broken) return worker.onerror?.({ message: "worker crashed" });
        void webCryptoBatchFailures(batch, webCryptoKeys(batch.eventKeys)).then((failures) =>
          worker.onmessage?.({ data: structuredClone({ id: batch.id, failures } satisfies WebCryptoBatchReply) }),
        );
      }, 1);
    },
  };
  return worker;
}

async function failuresOn(platform: VerifyPlatform): Promise<Map<number, string>> {
  const { keys, events } = await exported();
  const checks = platform.eventSignatures(0);
  try {
    checks.useKeys(keys);
    for (const [i, e] of events.entries()) checks.add(i, e.jws, e.canonical, e.bytes);
    return new Map([...(await checks.settle())].sort((a, b) => a[0] - b[0]));
  } finally {
    await checks.close();
  }
}

describe("WebCrypto event signatures", () => {
  it("names exactly the bad signatures, on this thread and on two workers alike", async () => {
    const inline = await failuresOn(webCryptoPlatform);
    expect([...inline.keys()]).toEqual(BAD);
    for (const reason of inline.values()) expect(reason).toBe("Ed25519 signature does not verify over the canonical bytes");
    const posted: number[][] = [[], []];
    let next = 0;
    const onWorkers = await failuresOn(webCryptoPlatformWithWorkers(() => inProcessWorker(posted[next++]!), 2));
    expect(posted).toEqual([[0, 2], [1]]); // round robin, one batch per 250 events
    expect(onWorkers).toEqual(inline);
  }, 30_000);

  it("fails every event of a batch its worker could not check", async () => {
    const posted: number[] = [];
    const failed = await failuresOn(webCryptoPlatformWithWorkers(() => inProcessWorker(posted, true), 1));
    expect(posted).toEqual([0, 1, 2]);
    expect(failed.size).toBe(EVENTS);
    for (const reason of failed.values()) expect(reason).toBe("signature not checked: worker crashed");
  }, 30_000);

  it("checks on this thread where no worker can be started", async () => {
    const failed = await failuresOn(
      webCryptoPlatformWithWorkers(() => {
        throw new Error("nested workers are not supported");
      }, 2),
    );
    expect([...failed.keys()]).toEqual(BAD);
  }, 30_000);
});
