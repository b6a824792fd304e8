// A client that gives up on a proxied call (its request timeout, 60 s in the SDK, is well inside --approval-timeout)
// must not have the tool run behind its back when the approval comes: the SDK's own Client, a scripted mediator.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import { describe, expect, it, vi } from "vitest";
import { createMcpProxy } from "../../agents/mcp/mcp-proxy.ts";
import type { ToolMap } from "../../agents/mcp/tool-map.ts";
import { pollApproval } from "../../agents/mediator-client/approval-wait.ts";
import { CANCELLED_SUMMARY } from "../../agents/mediator-client/gated-call.ts";
import type { Decision, MediatorClient, Outcome } from "../../agents/mediator-client/mediator-client.ts";

/** Upstream stand-in: records every call it receives. */
function upstream(calls: string[]): Client {
  return {
    async listTools() {
      return { tools: [] };
    },
    async callTool(params: { name: string }) {
      calls.push(params.name);
      return { content: [{ type: "text", text: "written" }] };
    },
  } as unknown as Client;
}

async function connect(proxy: ReturnType<typeof createMcpProxy>): Promise<Client> {
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await proxy.connect(serverSide);
  const client = new Client({ name: "impatient", version: "1" });
  await client.connect(clientSide);
  return client;
}

const map: ToolMap = { root: "/repo", tools: { write_file: { capability: "repo.write", resource: "{path|relative}" } } };

describe("mcp-proxy: a call the client cancelled", () => {
  it("is never run when the approval arrives after the client gave up; the allowed decision's outcome says so", async () => {
    const outcomes: Array<[string, Outcome]> = [];
    let approve!: () => void;
    const approved = new Promise<void>((resolve) => (approve = resolve));
    let n = 0;
    const mediator: MediatorClient = {
      async mediate(): Promise<Decision> {
        n++;
        // The first ask needs approval; the poll that follows answers allow only once the client has given up.
        if (n > 1) await approved;
        const decision = n === 1 ? "require_approval" : "allow";
        return {
          decision,
          reasons: [{ code: n === 1 ? "approval_required" : "granted", message: "" }],
          decisionId: `d${n}`,
          ledgerIndex: n,
          policyDigest: "sha256:p",
        };
      },
      async recordOutcome(id, outcome) {
        outcomes.push([id, outcome]);
        return { ledgerIndex: 99 };
      },
    };
    const ran: string[] = [];
    const proxy = createMcpProxy({
      upstream: upstream(ran),
      mediator,
      map,
      agent: "a",
      runset: "r",
      session: "s",
      approval: pollApproval(mediator, { intervalMs: 1, timeoutMs: 60_000 }),
    });
    const client = await connect(proxy);
    try {
      await expect(
        client.callTool({ name: "write_file", arguments: { path: "/repo/src/a.ts" } }, undefined, { timeout: 100 }),
      ).rejects.toThrow(/timed out/i);
      approve();
      await vi.waitFor(() => expect(outcomes).toHaveLength(1), { timeout: 5000, interval: 10 });
      expect(ran).toEqual([]);
      expect(outcomes).toEqual([["d2", expect.objectContaining({ status: "error", summary: CANCELLED_SUMMARY })]]);
    } finally {
      await client.close();
    }
  });

  it("stops polling for approval once the client cancels, and records nothing", async () => {
    const asked: string[] = [];
    const mediator: MediatorClient = {
      async mediate(): Promise<Decision> {
        asked.push("mediate");
        return {
          decision: "require_approval",
          reasons: [{ code: "approval_required", message: "" }],
          decisionId: `d${asked.length}`,
          ledgerIndex: 1,
          policyDigest: "sha256:p",
        };
      },
      async recordOutcome() {
        throw new Error("no outcome for a call that was never allowed");
      },
    };
    const ran: string[] = [];
    // A 60 s poll interval: only the cancel can end the wait within the test.
    const proxy = createMcpProxy({
      upstream: upstream(ran),
      mediator,
      map,
      agent: "a",
      runset: "r",
      session: "s",
      approval: pollApproval(mediator, { intervalMs: 60_000, timeoutMs: 300_000 }),
    });
    const client = await connect(proxy);
    try {
      const controller = new AbortController();
      const call = client.callTool({ name: "write_file", arguments: { path: "/repo/src/a.ts" } }, undefined, { signal: controller.signal });
      await expect.poll(() => asked.length).toBe(1);
      controller.abort();
      await expect(call).rejects.toThrow();
      await proxy.drain(); // resolves only once the call has finished: the 60 s wait ended with the cancel
      expect([asked, ran]).toEqual([["mediate"], []]);
    } finally {
      await client.close();
    }
  });
});
