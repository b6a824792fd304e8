// Run-set files and `runRunset`: schema errors name the field; agents run in parallel in their own worktrees, tests run at the end, branches stay.
import { execFileSync } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HttpMediatorClient } from "../../agents/mediator-client/http-mediator-client.ts";
import { createProvider } from "../../agents/runner/providers.ts";
import { loadRunset, parseRunset, registrationOf } from "../../agents/runset/runset-file.ts";
import { type RunsetProgress, runRunset } from "../../agents/runset/run-runset.ts";
import { issueToken } from "../../server/index.ts";
import { STORE_KINDS } from "../support/test-stores.ts";
import { fakeAnthropic, fakeOpenAI } from "./support/fake-providers.ts";
import { BROKEN_ADD, FIXED_ADD, git, makeRepo, TEST_COMMAND } from "./support/git-fixture.ts";
import { startTestServer, type TestServer } from "./support/maestro-server.ts";
import { itemAt, present } from "../../common/present.ts";

describe("run-set files", () => {
  const valid = { version: 1, name: "rs", agents: [{ name: "a", goal: "g", provider: "anthropic", model: "m" }] };

  it("accepts YAML and JSON", () => {
    expect(itemAt(parseRunset(JSON.stringify(valid), "x.json").agents, 0, "agents").name).toBe("a");
    const yaml =
      "version: 1\nname: rs\nagents:\n  - name: a\n    goal: fix it\n    provider: openai\n    model: gpt-5\n    grants:\n      - {capability: repo.read, resource: 'src/**'}\n";
    const parsed = parseRunset(yaml, "x.yaml");
    expect(registrationOf(parsed)).toEqual({
      name: "rs",
      budget_cap_usd: null,
      grants: [{ agent: "a", capability: "repo.read", resource: "src/**" }],
    });
  });

  it.each([
    [{ ...valid, version: 2 }, "/version"],
    [{ ...valid, agents: [{ ...valid.agents[0], provider: "gemini" }] }, "/agents/0/provider"],
    [
      { ...valid, agents: [{ ...valid.agents[0], grants: [{ capability: "root.shell", resource: "*" }] }] },
      "/agents/0/grants/0/capability",
    ],
    [{ ...valid, agents: [{ name: "a", goal: "g", provider: "openai" }] }, "/agents/0/model"],
    [{ ...valid, agents: [{ ...valid.agents[0], secrets: { token: "not a var name" } }] }, "/agents/0/secrets/token"],
    [{ ...valid, surprise: true }, "/surprise"],
    [{ ...valid, agents: [valid.agents[0], valid.agents[0]] }, "/agents/1/name"],
  ])("rejects bad input naming the field (%#)", (doc, field) => {
    expect(() => parseRunset(JSON.stringify(doc), "bad.json")).toThrow(expect.objectContaining({ code: "invalid_field", field }));
  });

  it("rejects text that is neither YAML nor JSON", () => {
    expect(() => parseRunset("agents: [unclosed", "bad.yaml")).toThrow(expect.objectContaining({ code: "bad_request" }));
  });
});

describe.each(STORE_KINDS)("runRunset (%s store)", (kind) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(kind);
  });
  afterAll(async () => server?.close());

  it("runs two agents in parallel worktrees, tests each at the end, keeps the branches", async () => {
    const repo = makeRepo();
    const fixer = await fakeAnthropic([
      { toolUses: [{ name: "write_file", input: { path: "src/add.js", content: FIXED_ADD } }] },
      { text: "fixed" },
    ]);
    const idler = await fakeOpenAI([
      { toolUses: [{ name: "write_file", input: { path: "README.md", content: "hi" } }] },
      { text: "could not write" },
    ]);
    const file = join(repo.dir, "runset.yaml");
    writeFileSync(
      file,
      `version: 1
name: parallel-${kind}
concurrency: 2
prices: { m-a: { input_per_mtok: 1, output_per_mtok: 1 }, m-o: { input_per_mtok: 1, output_per_mtok: 1 } }
agents:
  - name: fixer
    goal: make the tests pass
    provider: anthropic
    model: m-a
    base_url: ${fixer.baseURL}
    grants:
      - { capability: repo.write, resource: "src/**" }
      - { capability: tests.run, resource: "${TEST_COMMAND}" }
    tests: { command: "${TEST_COMMAND}" }
    success: { tests_pass: true }
  - name: idler
    goal: write a readme
    provider: openai
    model: m-o
    base_url: ${idler.baseURL}
    grants:
      - { capability: tests.run, resource: "${TEST_COMMAND}" }
    tests: { command: "${TEST_COMMAND}" }
    success: { tests_pass: true }
`,
    );
    try {
      const runset = await loadRunset(file);
      await server.register(registrationOf(runset).name, registrationOf(runset).grants);
      const mediator = new HttpMediatorClient({
        url: server.url,
        token: await server.token("agent", "runset-runner", { agents: ["fixer", "idler"], runsets: [`parallel-${kind}`] }),
      });
      const progress: RunsetProgress[] = [];
      const keys = { ANTHROPIC_API_KEY: "k", OPENAI_API_KEY: "k" };
      const report = await runRunset({
        runset,
        mediator,
        env: keys,
        providerFor: (a) => createProvider(a.provider, { baseURL: a.base_url }, keys),
        onProgress: (p) => progress.push(p),
        runId: "r1",
        // Its own worktree folder: a fixed runId in the shared default folder could meet another test run's trees.
        worktreeRoot: mkdtempSync(join(tmpdir(), "maestro-trees-")),
      });
      const [fixed, idle] = report.agents;
      expect(fixed, JSON.stringify(fixed)).toMatchObject({
        state: "done",
        success: true,
        tests: { status: "ok" },
        branch: { branch: "maestro/parallel-" + kind + "/fixer-r1", changed: true },
      });
      expect(idle, JSON.stringify(idle)).toMatchObject({
        state: "done",
        success: false,
        denies: 1,
        tests: { status: "error" },
        branch: { changed: false },
      });
      expect(report.success).toBe(false);
      // Worktrees are gone, branches stay; the fix lives on the fixer's branch only.
      expect(git(repo.dir, "worktree", "list").trim().split("\n")).toHaveLength(1);
      expect(git(repo.dir, "show", `${present(fixed, "the fixer's report").branch!.branch}:src/add.js`)).toBe(FIXED_ADD);
      expect(git(repo.dir, "show", "main:src/add.js")).toBe(BROKEN_ADD);
      // Live progress saw each agent move through its phases.
      for (const name of ["fixer", "idler"]) {
        const phases = progress.filter((p) => p.agent === name).map((p) => p.phase);
        expect(phases[0]).toBe("queued");
        expect(phases).toContain("tests");
        expect(phases.at(-1)).toBe("finished");
      }
      const finalTests = (await server.events("decision")).filter(
        (e) => e.payload.call.runset === `parallel-${kind}` && e.payload.call.args.final === true,
      );
      expect(finalTests.map((e) => [e.payload.call.agent, e.payload.decision]).sort()).toEqual([
        ["fixer", "allow"],
        ["idler", "allow"],
      ]);
      const statuses = (await server.events("outcome"))
        .filter((o) => finalTests.some((d) => d.subject.id === o.subject.id))
        .map((o) => o.payload.status)
        .sort();
      expect(statuses).toEqual(["error", "ok"]);
      expect(existsSync(join(repo.dir, "README.md"))).toBe(false);
    } finally {
      await fixer.close();
      await idler.close();
      repo.cleanup();
    }
  });
});

describe("maestro runset run (CLI)", () => {
  // Exit 2, a usage error: exit 1 is kept for "an agent failed".
  const run = (file: string, token = "x") => {
    try {
      execFileSync(process.execPath, ["cli/main.ts", "runset", "run", file], {
        encoding: "utf8",
        stdio: "pipe",
        env: { ...process.env, MAESTRO_TOKEN: token, MAESTRO_URL: "http://127.0.0.1:9" },
      });
    } catch (e) {
      return e as { status: number; stderr: string };
    }
    throw new Error("expected the command to fail");
  };

  it("rejects an invalid file with one readable line naming the field, exit 2", () => {
    const repo = makeRepo();
    try {
      writeFileSync(join(repo.dir, "bad.yaml"), "version: 1\nname: x\nagents: []\n");
      const err = run(join(repo.dir, "bad.yaml"));
      expect(err.status).toBe(2);
      expect(err.stderr).toMatch(/^maestro: .*agents.*\(field \/agents\)\n$/);
    } finally {
      repo.cleanup();
    }
  });

  it("rejects a missing file with its cause, exit 2", () => {
    const err = run("/nonexistent/runset.yaml");
    expect(err.status).toBe(2);
    expect(err.stderr).toBe("maestro: cannot read run-set file /nonexistent/runset.yaml: ENOENT\n");
  });

  it("refuses, before any agent starts, a token not bound to every agent of the run-set, naming the token to issue (exit 2)", async () => {
    const repo = makeRepo();
    try {
      writeFileSync(
        join(repo.dir, "two.yaml"),
        "version: 1\nname: pair\nagents:\n  - {name: fixer, goal: g, provider: openai, model: gpt-5}\n  - {name: idler, goal: g, provider: openai, model: gpt-5}\n",
      );
      const key = { kid: "k", privateKey: generateKeyPairSync("ed25519").privateKey };
      const err = run(join(repo.dir, "two.yaml"), await issueToken(key, "agent", "runner", 60, undefined, { agents: ["fixer"] }));
      expect(err.status).toBe(2);
      expect(err.stderr).toBe(
        "maestro: the agent token (sub runner) may not act as agent(s) idler; issue one that may: maestro token issue --role agent --sub runner --agents fixer,idler --runsets pair\n",
      );
    } finally {
      repo.cleanup();
    }
  });
});
