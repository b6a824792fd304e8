// Deferred outcomes: the caller is not held up, plain outcomes ride with the session's next decision, spend is awaited
// before it, and failures fail the session closed.
import { describe, expect, it } from "vitest";
import { deferOutcomes } from "./deferred-outcomes.ts";

const tick = () => new Promise((r) => setTimeout(r, 0));
import type { Decision, MediateCall, MediatorClient, Outcome } from "./mediator-client.ts";

function fakeMediator() {
  const log: string[] = [];
  const sent: string[] = [];
  const releases: Array<() => void> = [];
  let failNext = false;
  const client: MediatorClient = {
    async mediate(call: MediateCall) {
      log.push(`mediate ${call.tool}`);
      return { decision: "allow", allow: true, reasons: [], decisionId: call.tool, ledgerIndex: 1, policyDigest: "sha256:x" } as unknown as Decision;
    },
    recordOutcome(decisionId: string, outcome: Outcome) {
      const fail = failNext;
      failNext = false;
      sent.push(decisionId);
      return new Promise((resolve, reject) => {
        releases.push(() => {
          log.push(`outcome ${decisionId}${outcome.taint ? " (taint)" : ""}`);
          if (fail) reject(new Error("ledger down"));
          else resolve({ ledgerIndex: 2 });
        });
      });
    },
  };
  return { client, log, sent, release: () => releases.shift()?.(), failNextOutcome: () => (failNext = true) };
}

const call = (tool: string): MediateCall => ({ runset: "r", agent: "a", session: "s", tool, capability: "repo.read", resource: "x", args: {} });
const ok: Outcome = { status: "ok", summary: "", outputDigest: `sha256:${"0".repeat(64)}` };

describe("deferOutcomes", () => {
  it("returns before the outcome is durable; a plain outcome goes out with the next decision, which waits for both", async () => {
    const fake = fakeMediator();
    const client = deferOutcomes(fake.client, () => "s");
    expect(await client.recordOutcome("t1", ok)).toEqual({ ledgerIndex: -1 });
    expect(fake.sent).toEqual([]); // held for the next decision
    let decided = false;
    const t2 = client.mediate(call("t2")).then(() => (decided = true));
    await tick();
    expect(fake.sent).toEqual(["t1"]);
    expect(fake.log).toEqual(["mediate t2"]); // sent side by side, not one after the other
    expect(decided).toBe(false); // the decision resolves only once t1 is durable too
    fake.release();
    await t2;
    expect(fake.log).toEqual(["mediate t2", "outcome t1"]);

    // An outcome carrying spend is sent at once, and the next decision waits for it before it is even asked.
    await client.recordOutcome("t2", { ...ok, costUsd: 0.5 });
    expect(fake.sent).toEqual(["t1", "t2"]);
    const next = client.mediate(call("t3"));
    await new Promise((r) => setTimeout(r, 20));
    expect(fake.log).toHaveLength(2);
    fake.release();
    await next;
    expect(fake.log.slice(2)).toEqual(["outcome t2", "mediate t3"]);
  });

  it("with a client that piggybacks, held outcomes ride in the next decision's request", async () => {
    const fake = fakeMediator();
    const carried: string[][] = [];
    const piggybacking: MediatorClient = {
      ...fake.client,
      piggybacksOutcomes: true,
      mediate: (c, options) => {
        carried.push((options?.outcomes ?? []).map((o) => `${o.decisionId}:${o.status}`));
        return fake.client.mediate(c);
      },
    };
    const client = deferOutcomes(piggybacking, () => "s");
    await client.recordOutcome("t1", ok);
    await client.recordOutcome("t2", { ...ok, status: "error" });
    await client.mediate(call("t3"));
    await client.mediate(call("t4"));
    expect(carried).toEqual([["t1:ok", "t2:error"], []]);
    expect(fake.sent).toEqual([]); // never sent on their own
    await new Promise((r) => setTimeout(r, 40));
    expect(fake.sent).toEqual([]); // and the hold timer was cleared
  });

  it("sends a held outcome on its own when no decision follows within the hold", async () => {
    const fake = fakeMediator();
    const client = deferOutcomes(fake.client, () => "s", 5);
    await client.recordOutcome("t1", ok);
    await new Promise((r) => setTimeout(r, 30));
    expect(fake.sent).toEqual(["t1"]);
    fake.release();
    await client.flush();
    expect(fake.log).toEqual(["outcome t1"]);
  });

  it("awaits a tainting outcome in line", async () => {
    const fake = fakeMediator();
    const client = deferOutcomes(fake.client, () => "s");
    const recording = client.recordOutcome("t1", { ...ok, taint: { source: "https://x" } });
    let done = false;
    void recording.then(() => (done = true));
    await new Promise((r) => setTimeout(r, 20));
    expect(done).toBe(false);
    fake.release();
    expect(await recording).toEqual({ ledgerIndex: 2 });
  });

  it("fails the session's next call when a held outcome could not be ledgered, and only that call", async () => {
    const fake = fakeMediator();
    const client = deferOutcomes(fake.client, () => "s");
    fake.failNextOutcome();
    await client.recordOutcome("t1", ok);
    const next = client.mediate(call("t2"));
    await tick();
    fake.release();
    await expect(next).rejects.toThrow("ledger down");
    await expect(client.mediate(call("t3"))).resolves.toMatchObject({ decision: "allow" });
  });

  it("fails the session's next call when an outcome sent on its own failed meanwhile", async () => {
    const fake = fakeMediator();
    const client = deferOutcomes(fake.client, () => "s", 5);
    fake.failNextOutcome();
    await client.recordOutcome("t1", ok);
    await new Promise((r) => setTimeout(r, 30));
    fake.release();
    await tick();
    await expect(client.mediate(call("t2"))).rejects.toThrow("ledger down");
    await expect(client.mediate(call("t3"))).resolves.toMatchObject({ decision: "allow" });
  });

  it("flush waits for every pending outcome", async () => {
    const fake = fakeMediator();
    const client = deferOutcomes(fake.client, () => "s");
    await client.recordOutcome("t1", ok);
    await client.recordOutcome("t2", ok);
    const flushing = client.flush();
    fake.release();
    fake.release();
    await flushing;
    expect(fake.log).toEqual(["outcome t1", "outcome t2"]);
  });
});
