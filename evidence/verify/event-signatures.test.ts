// Event signatures checked on a worker and taken back by the calling thread: every bad one named, none lost.
import { Buffer } from "node:buffer";
import { describe, expect, it } from "vitest";
import { buildTestLog } from "../../ledger/verify/test-log.ts";
import { CLAIMED_BY_SENDER, CLAIMED_BY_WORKER, claimBatch, newClaim, signatureWorkers } from "../../ledger/verify/signature-batch.ts";
import { EventSignatureChecks } from "./event-signatures.ts";
import { keySetFromJwks } from "./keys.ts";
import { itemAt } from "../../common/present.ts";

const EVENTS = 1_100; // five batches: four full, one short
const BAD = [0, 249, 250, 777, 1_099];

/** The test log's events as exported (standard base64), with the signature of each BAD position broken. */
async function exported() {
  const log = await buildTestLog(EVENTS);
  const keys = await keySetFromJwks({ keys: log.eventKeys });
  const events = log.entries.map((e, i) => {
    const sig = BAD.includes(i) ? e.signature.slice(0, -4) + (e.signature.endsWith("AAAA") ? "BBBB" : "AAAA") : e.signature;
    return { jws: sig, canonical: Buffer.from(e.canonical).toString("base64") };
  });
  return { keys, events, eventKeys: log.eventKeys };
}

async function failuresWith(
  workers: number,
  before?: (checks: EventSignatureChecks) => Promise<void>,
  after?: (checks: EventSignatureChecks) => void,
) {
  const { keys, events } = await exported();
  const checks = new EventSignatureChecks(workers);
  try {
    checks.useKeys(keys);
    for (const [i, e] of events.entries()) checks.add(i, e.jws, e.canonical);
    await before?.(checks);
    const failed = await checks.settle();
    after?.(checks);
    return failed;
  } finally {
    await checks.close();
  }
}

describe("EventSignatureChecks", () => {
  it("names exactly the bad signatures, inline and on a worker alike", async () => {
    const inline = await failuresWith(0);
    expect([...inline.keys()].sort((a, b) => a - b)).toEqual(BAD);
    for (const reason of inline.values()) expect(reason).toMatch(/does not verify/);
    // Waits until the worker has taken a batch, so both threads check some: settle() takes back only the rest.
    let split = { batches: 0, byWorkers: 0, here: 0 };
    const onWorker = await failuresWith(
      1,
      async (checks) => {
        for (let waited = 0; checks.claims().byWorkers === 0 && waited < 10_000; waited += 1) await new Promise((r) => setTimeout(r, 1));
      },
      (checks) => (split = checks.claims()),
    );
    expect(split.byWorkers).toBeGreaterThanOrEqual(1);
    expect(split.byWorkers + split.here).toBe(split.batches);
    expect(new Map([...onWorker].sort((a, b) => a[0] - b[0]))).toEqual(new Map([...inline].sort((a, b) => a[0] - b[0])));
  }, 30_000);

  it("never passes a batch whose worker died mid-batch: each of its events fails as unchecked", async () => {
    const { keys, events } = await exported();
    // One batch of all events (~70 ms of Ed25519), killed as soon as the worker has taken it.
    const checks = new EventSignatureChecks(1, EVENTS);
    checks.useKeys(keys);
    for (const [i, e] of events.entries()) checks.add(i, e.jws, e.canonical);
    for (let waited = 0; checks.claims().byWorkers === 0 && waited < 10_000; waited += 1) await new Promise((r) => setTimeout(r, 1));
    expect(checks.claims()).toEqual({ batches: 1, byWorkers: 1, here: 0 });
    await checks.close();
    const failed = await checks.settle();
    expect(failed.size).toBe(EVENTS);
    for (const reason of failed.values()) expect(reason).toMatch(/^signature not checked: .*exited/);
  }, 30_000);

  it("checks here what a dead worker never took", async () => {
    const { keys, events } = await exported();
    const checks = new EventSignatureChecks(1);
    await checks.close(); // the worker is gone before the first batch
    checks.useKeys(keys);
    for (const [i, e] of events.entries()) checks.add(i, e.jws, e.canonical);
    const failed = await checks.settle();
    expect([...failed.keys()].sort((a, b) => a - b)).toEqual(BAD);
    expect(checks.claims()).toEqual({ batches: 5, byWorkers: 0, here: 5 });
  }, 30_000);

  it("refuses events checked against no keys", async () => {
    const { events } = await exported();
    const checks = new EventSignatureChecks(0);
    const event = itemAt(events, 1, "events");
    checks.add(0, event.jws, event.canonical); // useKeys() never called
    expect((await checks.settle()).get(0)).toMatch(/not among the published event keys/);
  });
});

describe("signature batch claims", () => {
  it("lets one thread take a batch: a worker answers null for a batch taken back", async () => {
    const { events, eventKeys } = await exported();
    const [first, second] = [itemAt(events, 0, "events"), itemAt(events, 1, "events")];
    const batch = { eventKeys, jws: [second.jws], canonical: [second.canonical], claim: newClaim() };
    expect(claimBatch(batch, CLAIMED_BY_SENDER)).toBe(true);
    expect(claimBatch(batch, CLAIMED_BY_WORKER)).toBe(false);
    const pool = signatureWorkers(1);
    try {
      expect(await pool.run(batch)).toBeNull();
      const fresh = { ...batch, jws: [first.jws], canonical: [first.canonical], claim: newClaim() };
      expect(await pool.run(fresh)).toEqual([[0, expect.stringMatching(/does not verify/)]]);
    } finally {
      await pool.close();
    }
  }, 30_000);
});
