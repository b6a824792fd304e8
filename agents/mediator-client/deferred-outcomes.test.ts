// Deferred outcomes: the caller is not held up, plain outcomes ride with the session's next decision, spend is awaited
// before it, and failures fail the session closed.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { MaestroError } from "../../common/errors.ts";
import { deferOutcomes, MAX_CARRIED } from "./deferred-outcomes.ts";
import type { Decision, MediateCall, MediatorClient, Outcome } from "./mediator-client.ts";

const tick = () => new Promise((r) => setTimeout(r, 0));
/** How many outcomes one mediate request may carry: the request schema's own limit. */
const schemaMaxCarried: number = JSON.parse(readFileSync(new URL("../../schemas/mediate/tool-call.schema.json", import.meta.url), "utf8"))
  .properties.outcomes.maxItems;

function fakeMediator() {
  const log: string[] = [];
  const sent: string[] = [];
  const releases: Array<() => void> = [];
  let failNext = false;
  const client: MediatorClient = {
    async mediate(call: MediateCall) {
      log.push(`mediate ${call.tool}`);
      return {
        decision: "allow",
        allow: true,
        reasons: [],
        decisionId: call.tool,
        ledgerIndex: 1,
        policyDigest: "sha256:x",
      } as unknown as Decision;
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

const call = (tool: string): MediateCall => ({
  runset: "r",
  agent: "a",
  session: "s",
  tool,
  capability: "repo.read",
  resource: "x",
  args: {},
});
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

  describe("with a client that piggybacks, when the carrying request fails", () => {
    /** Piggybacks; mediate() fails while `refuse` holds an error, as the server's all-or-nothing commit does. */
    function refusing() {
      const fake = fakeMediator();
      const carried: string[][] = [];
      const state: { refuse?: Error } = {};
      const client: MediatorClient = {
        ...fake.client,
        piggybacksOutcomes: true,
        async mediate(c, options) {
          carried.push((options?.outcomes ?? []).map((o) => o.decisionId));
          if (state.refuse) throw state.refuse;
          return fake.client.mediate(c);
        },
      };
      return { fake, carried, state, client };
    }

    it("carries at most the schema's maxItems outcomes in one request; the rest ride with the next", async () => {
      expect(MAX_CARRIED).toBe(schemaMaxCarried);
      const { fake, carried, client } = refusing();
      const deferred = deferOutcomes(client, () => "s", 60_000);
      const ids = Array.from({ length: schemaMaxCarried + 4 }, (_, i) => `o${i}`);
      for (const id of ids) await deferred.recordOutcome(id, ok);
      await deferred.mediate(call("t1"));
      await deferred.mediate(call("t2"));
      expect(carried).toEqual([ids.slice(0, schemaMaxCarried), ids.slice(schemaMaxCarried)]);
      expect(fake.sent).toEqual([]);
    });

    it("fails that call, sends the batch on its own, and the next decision waits for it", async () => {
      const { fake, carried, state, client } = refusing();
      const deferred = deferOutcomes(client, () => "s", 60_000);
      await deferred.recordOutcome("o1", ok);
      await deferred.recordOutcome("o2", ok);
      // e.g. the path over 2048 characters: a 400, and nothing of the request was recorded
      state.refuse = new MaestroError("invalid_field", "mediator refused /v1/mediate: too long", { field: "/resource" });
      await expect(deferred.mediate(call("t1"))).rejects.toThrow("too long");
      expect(fake.sent).toEqual(["o1", "o2"]);
      state.refuse = undefined;
      let decided = false;
      const next = deferred.mediate(call("t2")).then(() => (decided = true));
      await tick();
      expect(decided).toBe(false);
      fake.release();
      fake.release();
      await next;
      expect(carried).toEqual([["o1", "o2"], []]);
      expect(fake.log).toEqual(["outcome o1", "outcome o2", "mediate t2"]);
    });

    it("a refused carried outcome (409) recorded no decision: the call fails, and that outcome fails alone on its own", async () => {
      const { fake, state, client } = refusing();
      const deferred = deferOutcomes(client, () => "s", 60_000);
      await deferred.recordOutcome("o1", ok);
      await deferred.recordOutcome("o2", ok);
      state.refuse = new MaestroError("conflict", "no allowed decision o1 by a; nothing of this request was recorded", {
        field: "/outcomes/0/decisionId",
      });
      fake.failNextOutcome(); // o1 is refused on its own too
      await expect(deferred.mediate(call("t1"))).rejects.toThrow("nothing of this request was recorded");
      state.refuse = undefined;
      const next = deferred.mediate(call("t2"));
      fake.release();
      fake.release(); // o2 lands on its own
      await expect(next).rejects.toThrow("ledger down"); // not forgotten: the session's next call fails for it
      expect(fake.log).toEqual(["outcome o1", "outcome o2"]);
      await expect(deferred.mediate(call("t3"))).resolves.toMatchObject({ decision: "allow" });
    });

    it('a request that failed in flight but committed: the re-sent outcome\'s "already has an outcome" is no failure', async () => {
      const fake = fakeMediator();
      let fail = true;
      const client: MediatorClient = {
        piggybacksOutcomes: true,
        mediate: async (c) => {
          if (fail) throw new MaestroError("mediator_unreachable", "no answer within 10000 ms");
          return fake.client.mediate(c);
        },
        recordOutcome: async (id) => {
          fake.sent.push(id);
          throw new MaestroError("conflict", `mediator refused /v1/mediate/${id}/outcome: decision ${id} already has an outcome`, {
            field: "decisionId",
          });
        },
      };
      const deferred = deferOutcomes(client, () => "s", 60_000);
      await deferred.recordOutcome("o1", ok);
      await expect(deferred.mediate(call("t1"))).rejects.toThrow("no answer");
      fail = false;
      await expect(deferred.mediate(call("t2"))).resolves.toMatchObject({ decision: "allow" });
      await deferred.flush();
      expect(fake.sent).toEqual(["o1"]);
    });

    it("flush sends what is held past the cap too", async () => {
      const { fake, client } = refusing();
      const deferred = deferOutcomes(client, () => "s", 60_000);
      for (let i = 0; i <= schemaMaxCarried; i++) await deferred.recordOutcome(`o${i}`, ok);
      await deferred.mediate(call("t1"));
      const flushing = deferred.flush();
      fake.release();
      await flushing;
      expect(fake.log).toEqual(["mediate t1", `outcome o${schemaMaxCarried}`]);
    });
  });
});
