// The MCP proxy in front of the real @modelcontextprotocol/server-filesystem, driven by the SDK's own Client, mediated by a real server.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { HttpMediatorClient } from "../../agents/mediator-client/http-mediator-client.ts";
import { createMcpProxy } from "../../agents/mcp/mcp-proxy.ts";
import { parseToolMap } from "../../agents/mcp/tool-map.ts";
import { connectUpstream } from "../../agents/mcp/upstream.ts";
import { STORE_KINDS } from "../support/test-stores.ts";
import { filesystemServerEntry } from "./support/filesystem-server.ts";
import { startTestServer, type TestServer } from "./support/maestro-server.ts";

const text = (result: any) => result.content.map((c: any) => c.text).join("");

function mapYaml(runset: string, root: string): string {
  return `runset: ${runset}
root: ${root}
tools:
  read_text_file: { capability: repo.read, resource: "{path|relative}" }
  list_directory: { capability: repo.read, resource: "{path|relative}" }
  write_file: { capability: repo.write, resource: "{path|relative}" }
  move_file: { deny: true }
`;
}

describe.each(STORE_KINDS)("maestro mcp-proxy (%s store)", (kind) => {
  let server: TestServer;
  let root: string;
  const runset = `mcp-${kind}`;
  beforeAll(async () => {
    server = await startTestServer(kind);
    root = mkdtempSync(join(tmpdir(), "maestro-mcp-"));
    mkdirSync(join(root, "src"));
    mkdirSync(join(root, "notes"));
    writeFileSync(join(root, "src/a.txt"), "hello from a\n");
    await server.register(runset, [
      { agent: "fs-agent", capability: "repo.read", resource: "**" },
      { agent: "fs-agent", capability: "repo.write", resource: "notes/**" },
    ]);
  });
  afterAll(async () => {
    await server?.close();
    rmSync(root, { recursive: true, force: true });
  });

  it("hides unmapped tools, allows granted calls, denies the rest with the reason as an isError result, ledgers every mediated call", async () => {
    const upstream = await connectUpstream({ command: process.execPath, args: [filesystemServerEntry(), root] });
    const proxy = createMcpProxy({
      upstream,
      mediator: new HttpMediatorClient({ url: server.url, token: await server.token("agent", "fs-agent") }),
      map: parseToolMap(mapYaml(runset, root), "map.yaml", root),
      agent: "fs-agent",
      runset,
      session: "mcp-inproc",
    });
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    await proxy.connect(serverSide);
    const client = new Client({ name: "test-client", version: "1.0.0" });
    await client.connect(clientSide);
    try {
      const direct = (await upstream.listTools()).tools.map((t) => t.name);
      expect(direct).toContain("move_file");
      expect(direct).toContain("directory_tree");
      const names = (await client.listTools()).tools.map((t) => t.name).sort();
      expect(names).toEqual(["list_directory", "read_text_file", "write_file"]);

      const read = await client.callTool({ name: "read_text_file", arguments: { path: join(root, "src/a.txt") } });
      expect(read.isError).toBeFalsy();
      expect(text(read)).toContain("hello from a");

      const write = await client.callTool({ name: "write_file", arguments: { path: join(root, "src/evil.txt"), content: "x" } });
      expect(write.isError).toBe(true);
      expect(text(write)).toMatch(/no_grant: no grant allows agent fs-agent .* repo\.write on src\/evil\.txt/);

      const allowedWrite = await client.callTool({ name: "write_file", arguments: { path: join(root, "notes/n.txt"), content: "note" } });
      expect(allowedWrite.isError).toBeFalsy();
      expect(readFileSync(join(root, "notes/n.txt"), "utf8")).toBe("note");

      const hidden = await client.callTool({ name: "directory_tree", arguments: { path: root } });
      expect(hidden.isError).toBe(true);
      expect(text(hidden)).toMatch(/not in the tool map/);
      const escape = await client.callTool({ name: "read_text_file", arguments: { path: "/etc/passwd" } });
      expect(escape.isError).toBe(true);
      expect(text(escape)).toMatch(/outside/);

      const decisions = (await server.events("decision")).filter((e) => e.payload.call.session === "mcp-inproc");
      expect(decisions.map((d) => [d.payload.call.tool, d.payload.call.resource, d.payload.decision])).toEqual([
        ["read_text_file", "src/a.txt", "allow"],
        ["write_file", "src/evil.txt", "deny"],
        ["write_file", "notes/n.txt", "allow"],
      ]);
      // Outcomes are appended off the call's critical path (deferred-outcomes.ts): durable shortly after.
      await vi.waitFor(
        async () => {
          const outcomes = (await server.events("outcome")).filter((o) => decisions.some((d) => d.subject.id === o.subject.id));
          expect(outcomes.map((o) => o.payload.status)).toEqual(["ok", "ok"]);
        },
        { timeout: 5000, interval: 50 },
      );
    } finally {
      await client.close();
      await upstream.close();
    }
  });

  /** `maestro mcp-proxy` as its own process, stdio towards this client and towards the filesystem server. */
  async function cliProxyClient(session: string): Promise<Client> {
    const mapFile = join(root, "map.yaml");
    writeFileSync(mapFile, mapYaml(runset, root));
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [
        "cli/main.ts",
        "mcp-proxy",
        "--agent",
        "fs-agent",
        "--map",
        mapFile,
        "--session",
        session,
        "--url",
        server.url,
        "--",
        process.execPath,
        filesystemServerEntry(),
        root,
      ],
      env: { ...(process.env as Record<string, string>), MAESTRO_TOKEN: await server.token("agent", "fs-agent") },
      cwd: process.cwd(),
      stderr: "pipe",
    });
    const client = new Client({ name: "cli-client", version: "1.0.0" });
    await client.connect(transport);
    return client;
  }

  it("works end to end as the CLI: stdio towards the client and towards the upstream", async () => {
    const client = await cliProxyClient("mcp-cli");
    try {
      const read = await client.callTool({ name: "read_text_file", arguments: { path: join(root, "src/a.txt") } });
      expect(text(read)).toContain("hello from a");
      const denied = await client.callTool({ name: "write_file", arguments: { path: join(root, "x.txt"), content: "x" } });
      expect(denied.isError).toBe(true);
      const decisions = (await server.events("decision")).filter((e) => e.payload.call.session === "mcp-cli");
      expect(decisions.map((d) => d.payload.decision)).toEqual(["allow", "deny"]);
    } finally {
      await client.close();
    }
  });

  it("as the CLI, ledgers the last calls' outcomes when the client closes right after them (well inside the 20 ms hold)", async () => {
    const client = await cliProxyClient("mcp-cli-close");
    for (let i = 0; i < 3; i++)
      expect(text(await client.callTool({ name: "read_text_file", arguments: { path: join(root, "src/a.txt") } }))).toContain(
        "hello from a",
      );
    await client.close(); // returns once the proxy process has exited
    const decisions = (await server.events("decision")).filter((e) => e.payload.call.session === "mcp-cli-close");
    const outcomes = (await server.events("outcome")).filter((o) => decisions.some((d) => d.subject.id === o.subject.id));
    expect([decisions.length, outcomes.map((o) => o.payload.status)]).toEqual([3, ["ok", "ok", "ok"]]);
  });
});
