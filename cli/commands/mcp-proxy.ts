// `maestro mcp-proxy`: an MCP server on stdio that forwards to an upstream MCP server, mediating every tools/call.
import { randomUUID } from "node:crypto";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { DEFAULT_MAESTRO_URL, httpMediatorFromEnv } from "../../agents/mediator-client/http-mediator-client.ts";
import { pollApproval } from "../../agents/mediator-client/approval-wait.ts";
import { createMcpProxy } from "../../agents/mcp/mcp-proxy.ts";
import { loadToolMap, type ToolMap } from "../../agents/mcp/tool-map.ts";
import { connectUpstream, type UpstreamSpec } from "../../agents/mcp/upstream.ts";
import { checkTokenActsAs } from "../agent-token-check.ts";
import { type Command, parseFlags, requireFlag, UsageError } from "../command.ts";

export const mcpProxyCommand: Command = {
  name: "mcp-proxy",
  usage: `
Usage: maestro mcp-proxy --agent NAME [--map FILE] [--runset NAME] [--session ID] [--url URL] [--token TOKEN]
                         (-- <server command…> | --upstream-url URL)

Speaks MCP on stdin/stdout towards the client; starts the upstream server command (stdio) or
connects to --upstream-url (Streamable HTTP). tools/list shows only tools the map names;
tools/call is mediated (POST /v1/mediate) and a deny comes back as a tool result with
isError: true and the reason. Without --map every tool is hidden and denied.
Map file (YAML/JSON, schemas/runset/tool-map.schema.json):
  runset: my-runset
  root: /work/repo
  tools:
    read_text_file: { capability: repo.read, resource: "{path|relative}" }
    write_file:     { capability: repo.write, resource: "{path|relative}" }
    fetch:          { capability: network.egress, resource: "{url|host}", taints: true }
Token: --token or MAESTRO_TOKEN (role agent, acting as --agent: its sub, or bound with token issue --agents);
server: --url, MAESTRO_URL, default ${DEFAULT_MAESTRO_URL}.`,
  async run(argv) {
    const { values, positionals } = parseFlags(
      argv,
      {
        agent: { type: "string" },
        map: { type: "string" },
        runset: { type: "string" },
        session: { type: "string" },
        url: { type: "string" },
        token: { type: "string" },
        "upstream-url": { type: "string" },
        "approval-timeout": { type: "string" },
      },
      mcpProxyCommand,
      true,
    );
    const agent = requireFlag(values.agent, "agent");
    let upstream: UpstreamSpec;
    if (values["upstream-url"]) {
      if (positionals.length > 0) throw new UsageError("give either -- <server command…> or --upstream-url, not both");
      upstream = { url: values["upstream-url"] };
    } else {
      const [command, ...args] = positionals;
      if (command === undefined) throw new UsageError("missing upstream: -- <server command…> or --upstream-url URL");
      upstream = { command, args };
    }
    const map: ToolMap = values.map ? await loadToolMap(values.map) : { tools: {} };
    if (!values.map) process.stderr.write("maestro mcp-proxy: no --map given: every upstream tool is hidden and denied\n");
    const runset = values.runset ?? map.runset;
    if (!runset) throw new UsageError("missing run-set: --runset or runset: in the map file");
    const mediator = httpMediatorFromEnv({ url: values.url, token: values.token });
    checkTokenActsAs(values.token ?? process.env.MAESTRO_TOKEN ?? "", [agent], runset);
    const timeoutSeconds = Number(values["approval-timeout"] ?? 300);
    if (!Number.isInteger(timeoutSeconds) || timeoutSeconds < 1) throw new UsageError("--approval-timeout must be whole seconds");
    const client = await connectUpstream(upstream);
    const server = createMcpProxy({
      upstream: client,
      mediator,
      map,
      agent,
      runset,
      session: values.session ?? `mcp-${randomUUID()}`,
      approval: pollApproval(mediator, { timeoutMs: timeoutSeconds * 1000 }),
    });
    const transport = new StdioServerTransport();
    await server.connect(transport);
    // Runs until the client closes stdin or the transport closes. The proxy's own close handler is chained, not
    // replaced: it starts the outcome flush that drain() below waits for.
    await new Promise<void>((resolve) => {
      const proxyOnClose = server.onclose;
      server.onclose = () => {
        proxyOnClose?.();
        resolve();
      };
      process.stdin.once("end", () => resolve());
    });
    // Closing aborts the calls still waiting for a decision; one already at the tool still needs the upstream, so that
    // closes last, once every outcome is durable (a held one would otherwise die with the process).
    await server.close().catch(() => {});
    const ledgered = await server.drain().then(
      () => true,
      () => false, // the proxy has logged which outcome was not ledgered
    );
    await client.close().catch(() => {});
    mediator.close();
    return ledgered ? 0 : 1;
  },
};
