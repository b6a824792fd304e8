// The in-process MediatorClient over ctx.mediator: same decisions as HTTP, and run events (budget exhausted) reach the ledger.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InProcessMediatorClient } from "../../agents/mediator-client/in-process-mediator-client.ts";
import { runAgent } from "../../agents/runner/agent-runner.ts";
import { Budget } from "../../agents/runner/budget.ts";
import { createProvider } from "../../agents/runner/providers.ts";
import { BUILTIN_TOOLS } from "../../agents/tools/catalogue.ts";
import { toolEnv } from "../../agents/tools/tool-env.ts";
import { STORE_KINDS } from "../support/test-stores.ts";
import { fakeAnthropic } from "./support/fake-providers.ts";
import { makeRepo } from "./support/git-fixture.ts";
import { startTestServer, type TestServer } from "./support/maestro-server.ts";

describe.each(STORE_KINDS)("in-process mediator client (%s store)", (kind) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(kind);
  });
  afterAll(async () => server?.close());

  it("mediates through ctx.mediator and ledgers run.budget_exhausted when the cap is hit", async () => {
    const repo = makeRepo();
    await server.register("inproc", [{ agent: "local", capability: "repo.read", resource: "**" }]);
    const mediator = new InProcessMediatorClient(
      server.ctx.mediator,
      { sub: "local", role: "agent", issuer: "maestro" },
      server.ctx.ledger.writer,
    );
    const provider = await fakeAnthropic([
      { toolUses: [{ name: "read_file", input: { path: "src/add.js" } }], usage: { input: 2_000_000, output: 0 } },
    ]);
    try {
      const result = await runAgent({
        runset: "inproc",
        agent: "local",
        session: "local-s1",
        goal: "read",
        model: "m",
        provider: createProvider("anthropic", { baseURL: provider.baseURL }, { ANTHROPIC_API_KEY: "k" }),
        tools: BUILTIN_TOOLS,
        env: toolEnv({ workdir: repo.dir }),
        mediator,
        budget: new Budget({ input_per_mtok: 1, output_per_mtok: 1 }, 2),
      });
      // $2 spent in turn 1 reaches the $2 cap: the tool call of that turn is not run.
      expect(result).toMatchObject({ state: "budget_exhausted", toolCalls: 0, runEventLedgered: true });
      const [event] = (await server.events("run.budget_exhausted")).filter((e) => e.subject.id === "local-s1");
      expect(event).toMatchObject({
        actor: { type: "agent", id: "local" },
        payload: { runset: "inproc", agent: "local", spent_usd: 2, cap_usd: 2 },
      });
    } finally {
      await provider.close();
      repo.cleanup();
    }
  });
});
