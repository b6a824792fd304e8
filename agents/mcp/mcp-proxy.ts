// An MCP server in front of an upstream MCP server: tools/list hides what can never be allowed, every tools/call goes through the mediator.
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { CallToolRequestSchema, type CallToolResult, ListToolsRequestSchema } from "@modelcontextprotocol/sdk/types.js";
import { isMaestroError } from "../../common/errors.ts";
import type { ApprovalWait } from "../mediator/approval-wait.ts";
import { gatedCall } from "../mediator/gated-call.ts";
import type { MediatorClient } from "../mediator/mediator-client.ts";
import { deferOutcomes } from "../mediator/deferred-outcomes.ts";
import { ledgerArgs, mappedTool, resourceFor, type ToolMap } from "./tool-map.ts";

export interface McpProxyOptions {
  upstream: Client;
  mediator: MediatorClient;
  map: ToolMap;
  agent: string;
  runset: string;
  session: string;
  approval?: ApprovalWait;
  /**
   * Return the upstream result without waiting for the outcome's durable append (default true);
   * the session's next call still waits for it (agents/mediator/deferred-outcomes.ts).
   */
  deferOutcomes?: boolean;
}

const refusal = (text: string): CallToolResult => ({ content: [{ type: "text", text }], isError: true });

export function createMcpProxy(o: McpProxyOptions): Server {
  const server = new Server({ name: "maestro-mcp-proxy", version: "0.1.0" }, { capabilities: { tools: {} } });
  const deferred = o.deferOutcomes === false ? undefined : deferOutcomes(o.mediator, () => o.session);
  const mediator = deferred ?? o.mediator;
  // Closing the proxy waits for every outcome to be durable.
  server.onclose = () => {
    deferred?.flush().catch((err) => console.error(JSON.stringify({ level: "error", msg: "outcome not ledgered", err: String(err) })));
  };

  server.setRequestHandler(ListToolsRequestSchema, async (request) => {
    const upstream = await o.upstream.listTools(request.params);
    // Unmapped (or deny-mapped) tools are denied on every call, so the client never sees them.
    return { ...upstream, tools: upstream.tools.filter((tool) => mappedTool(o.map, tool.name)) };
  });

  server.setRequestHandler(CallToolRequestSchema, async (request) => {
    const { name } = request.params;
    const args = (request.params.arguments ?? {}) as Record<string, unknown>;
    const tool = mappedTool(o.map, name);
    if (!tool) return refusal(`Denied by Maestro: tool "${name}" is not in the tool map, so no policy can allow it`);
    let resource: string;
    try {
      resource = resourceFor(o.map, tool, args);
    } catch (err) {
      if (isMaestroError(err)) return refusal(`Denied by Maestro: ${err.message}`);
      throw err;
    }
    let upstreamResult: CallToolResult | undefined;
    // A mediator failure throws here and becomes a JSON-RPC error: fail closed, the upstream is never called.
    const gated = await gatedCall(
      mediator,
      { runset: o.runset, agent: o.agent, session: o.session, tool: name, capability: tool.capability, resource, args: ledgerArgs(args) },
      async () => {
        upstreamResult = (await o.upstream.callTool({ name, arguments: args })) as CallToolResult;
        const isError = upstreamResult.isError === true;
        return {
          status: isError ? "error" : "ok",
          content: JSON.stringify(upstreamResult.content ?? upstreamResult),
          summary: `${name} on ${resource}: ${isError ? "error" : "ok"}`,
          ...(tool.taints ? { taint: { source: `mcp:${name}:${resource}` } } : {}),
        };
      },
      { approval: o.approval },
    );
    if (gated.outcome === "ran" && upstreamResult) return upstreamResult;
    return refusal(gated.content);
  });

  return server;
}
