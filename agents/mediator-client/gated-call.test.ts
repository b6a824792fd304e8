// gatedCall and pollApproval against a scripted MediatorClient: the tool runs only on allow, approvals wait without sleeping.
import { describe, expect, it } from "vitest";
import { ManualClock } from "../../common/clock.ts";
import { MAX_CONTENT_BYTES } from "../../common/content-limit.ts";
import { pollApproval } from "./approval-wait.ts";
import { CANCELLED_SUMMARY, gatedCall, type ToolRun } from "./gated-call.ts";
import type { Decision, DecisionKind, MediatorClient, Outcome } from "./mediator-client.ts";
import { itemAt } from "../../common/present.ts";

function scripted(kinds: DecisionKind[]): MediatorClient & { outcomes: Array<[string, Outcome]>; calls: number } {
  let n = 0;
  const client = {
    outcomes: [] as Array<[string, Outcome]>,
    calls: 0,
    async mediate(): Promise<Decision> {
      client.calls++;
      const kind = itemAt(kinds, Math.min(n, kinds.length - 1), "scripted kinds");
      n++;
      return {
        decision: kind,
        reasons: [{ code: kind === "allow" ? "granted" : kind, message: `said ${kind}` }],
        decisionId: `d${n}`,
        ledgerIndex: n,
        policyDigest: "sha256:p",
      };
    },
    async recordOutcome(id: string, outcome: Outcome) {
      client.outcomes.push([id, outcome]);
      return { ledgerIndex: 99 };
    },
  };
  return client;
}

const call = { runset: "r", agent: "a", session: "s", tool: "t", capability: "repo.write", resource: "x", args: {} };
const ok =
  (content = "done"): (() => Promise<ToolRun>) =>
  async () => ({ status: "ok", content, summary: "ran" });

describe("gatedCall", () => {
  it("runs on allow and records the outcome with a digest of the output and the unreported cost", async () => {
    const m = scripted(["allow"]);
    const result = await gatedCall(m, call, ok("out"), { takeCostUsd: () => 0.25 });
    expect(result).toMatchObject({ outcome: "ran", content: "out", isError: false });
    expect(m.outcomes).toEqual([
      ["d1", { status: "ok", summary: "ran", outputDigest: expect.stringMatching(/^sha256:[0-9a-f]{64}$/), costUsd: 0.25 }],
    ]);
  });

  it("sends what a reading tool returned for the server's scan, clipped to the bound; never a write's echo or a hidden secret", async () => {
    const send = async (capability: string, run: () => Promise<ToolRun>) => {
      const m = scripted(["allow"]);
      await gatedCall(m, { ...call, capability }, run);
      return itemAt(m.outcomes, 0, "outcomes")[1].content;
    };
    expect(await send("repo.read", ok("file text"))).toBe("file text");
    expect(await send("tests.run", ok("x".repeat(MAX_CONTENT_BYTES + 10)))).toHaveLength(MAX_CONTENT_BYTES);
    expect(await send("network.egress", ok(""))).toBeUndefined();
    expect(await send("repo.write", ok("wrote it"))).toBeUndefined();
    // read_secret overrides the digest so the value is never hashed bare: it is not sent either.
    expect(
      await send("secrets.read", async () => ({ status: "ok", content: "s3cr3t", summary: "read", digest: "salted" })),
    ).toBeUndefined();
  });

  it("never runs the tool on deny and returns the reason for the model", async () => {
    const m = scripted(["deny"]);
    let ran = false;
    const result = await gatedCall(m, call, async () => {
      ran = true;
      return { status: "ok", content: "", summary: "" };
    });
    expect(ran).toBe(false);
    expect(result).toMatchObject({ outcome: "denied", isError: true, content: "Denied by Maestro policy: deny: said deny" });
    expect(m.outcomes).toEqual([]);
  });

  it("records a throwing tool as an error outcome", async () => {
    const m = scripted(["allow"]);
    const result = await gatedCall(m, call, async () => {
      throw new Error("disk full");
    });
    expect(result.isError).toBe(true);
    expect(itemAt(m.outcomes, 0, "outcomes")[1]).toMatchObject({ status: "error", summary: "tool failed: disk full" });
  });

  it("waits on require_approval and runs once approved (re-mediation cites the approval)", async () => {
    const m = scripted(["require_approval", "require_approval", "allow"]);
    const clock = new ManualClock();
    const approval = pollApproval(m, { intervalMs: 1000, timeoutMs: 60_000, clock, sleep: async (ms) => clock.advance(ms) });
    const result = await gatedCall(m, call, ok(), { approval });
    expect(result).toMatchObject({ outcome: "ran", decision: { decisionId: "d3" } });
    expect(m.outcomes.map(([id]) => id)).toEqual(["d3"]);
  });

  it("gives up at the approval timeout without running the tool or recording an outcome", async () => {
    const m = scripted(["require_approval"]);
    const clock = new ManualClock();
    const approval = pollApproval(m, { intervalMs: 10_000, timeoutMs: 30_000, clock, sleep: async (ms) => clock.advance(ms) });
    const result = await gatedCall(m, call, ok(), { approval });
    expect(result).toMatchObject({ outcome: "approval_timeout", isError: true });
    expect(m.calls).toBe(3); // the first ask and two polls inside 30 s
    expect(m.outcomes).toEqual([]);
  });

  it("treats require_approval as a deny when nobody can approve", async () => {
    const result = await gatedCall(scripted(["require_approval"]), call, ok());
    expect(result).toMatchObject({ outcome: "denied", isError: true });
  });

  describe("when the caller gives up (signal)", () => {
    const never = (ran: string[]) => async (): Promise<ToolRun> => {
      ran.push("tool");
      return { status: "ok", content: "", summary: "" };
    };

    it("asks nothing when it has already fired", async () => {
      const m = scripted(["allow"]);
      const ran: string[] = [];
      await expect(gatedCall(m, call, never(ran), { signal: AbortSignal.abort() })).rejects.toThrow();
      expect([m.calls, ran, m.outcomes]).toEqual([0, [], []]);
    });

    it("stops waiting for approval at once and records nothing (the decision on record is not an allow)", async () => {
      const m = scripted(["require_approval"]);
      const controller = new AbortController();
      let sleeps = 0;
      const approval = pollApproval(m, {
        intervalMs: 1000,
        timeoutMs: 300_000,
        // The real sleep resolves early on abort; this one stands for a client that cancels during the second wait.
        sleep: async (_ms, signal) => {
          if (++sleeps === 2) controller.abort();
          expect(signal).toBe(controller.signal);
        },
      });
      const ran: string[] = [];
      const result = await gatedCall(m, call, never(ran), { approval, signal: controller.signal });
      expect(result).toMatchObject({ outcome: "cancelled", isError: true, decision: { decision: "require_approval" } });
      expect([m.calls, ran, m.outcomes]).toEqual([2, [], []]);
    });

    it("never starts the tool when the approval arrives after the caller gave up, and ledgers that it did not run", async () => {
      const m = scripted(["require_approval", "allow"]);
      const controller = new AbortController();
      const mediate = m.mediate;
      m.mediate = async (c, o) => {
        const decision = await mediate(c, o);
        if (decision.decision === "allow") controller.abort(); // the client's timeout fires while the poll is in flight
        return decision;
      };
      const clock = new ManualClock();
      const approval = pollApproval(m, { intervalMs: 1000, timeoutMs: 60_000, clock, sleep: async (ms) => clock.advance(ms) });
      const ran: string[] = [];
      const result = await gatedCall(m, call, never(ran), { approval, signal: controller.signal, takeCostUsd: () => 0.5 });
      expect(ran).toEqual([]);
      expect(result).toMatchObject({ outcome: "cancelled", isError: true, decision: { decisionId: "d2" } });
      expect(m.outcomes).toEqual([
        ["d2", { status: "error", summary: CANCELLED_SUMMARY, outputDigest: expect.stringMatching(/^sha256:/), costUsd: 0.5 }],
      ]);
    });

    it("the real sleep wakes on abort instead of waiting out the interval", async () => {
      const m = scripted(["require_approval"]);
      const controller = new AbortController();
      const approval = pollApproval(m, { intervalMs: 60_000, timeoutMs: 300_000 });
      const started = Date.now();
      setTimeout(() => controller.abort(), 20);
      const result = await gatedCall(m, call, never([]), { approval, signal: controller.signal });
      expect(result.outcome).toBe("cancelled");
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(m.calls).toBe(1);
    });
  });
});
