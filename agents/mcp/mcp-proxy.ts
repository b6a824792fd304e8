// An MCP server in front of an upstream MCP server: tools/list hides what can never be allowed, every tools/call goes through the mediator.
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import {
  type CallToolRequest,
  CallToolRequestSchema,
  type CallToolResult,
  ListToolsRequestSchema,
} from "@modelcontextprotocol/sdk/types.js";
import { isMaestroError } from "../../common/errors.ts";
import type { ApprovalWait } from "../mediator-client/approval-wait.ts";
import { gatedCall } from "../mediator-client/gated-call.ts";
import { readText } from "../mediator-client/read-text.ts";
import type { MediatorClient } from "../mediator-client/mediator-client.ts";
import { deferOutcomes } from "../mediator-client/deferred-outcomes.ts";
import { ledgerArgs, mappedTool, resourceFor, type ToolMap, writtenContent } from "./tool-map.ts";

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
   * the session's next call still waits for it (agents/mediator-client/deferred-outcomes.ts).
   */
  deferOutcomes?: boolean;
}

const refusal = (text: string): CallToolResult => ({ content: [{ type: "text", text }], isError: true });

/** The proxy's MCP server, and how to wait for what it still owes the ledger. */
export interface McpProxy extends Server {
  /**
   * Resolves once every call in flight has finished and every outcome is durable; rejects with the first outcome that
   * could not be ledgered. Once the transport has closed, this is the drain the close started (which logged any failure).
   */
  drain(): Promise<void>;
}

export function createMcpProxy(o: McpProxyOptions): McpProxy {
  const server = new Server({ name: "maestro-mcp-proxy", version: "0.1.0" }, { capabilities: { tools: {} } });
  const deferred = o.deferOutcomes === false ? undefined : deferOutcomes(o.mediator, () => o.session);
  const mediator = deferred ?? o.mediator;
  const inFlight = new Set<Promise<unknown>>();
  const drain = async () => {
    while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    await deferred?.flush();
  };
  let closing: Promise<void> | undefined;
  // On close the SDK has already aborted every call in flight: one not yet at the tool never starts it, one at the tool
  // runs to its end. drain() waits for both, then for every outcome to be durable. The hold timer is unref'd, so whoever
  // owns the process chains onto this handler and awaits drain() before exiting (cli/commands/mcp-proxy.ts).
  server.onclose = () => {
    closing = drain();
    closing.catch((err) => console.error(JSON.stringify({ level: "error", msg: "outcome not ledgered", err: String(err) })));
  };

  server.setRequestHandler(ListToolsRequestSchema, async (request) => {
    const upstream = await o.upstream.listTools(request.params);
    // Unmapped (or deny-mapped) tools are denied on every call, so the client never sees them.
    return { ...upstream, tools: upstream.tools.filter((tool) => mappedTool(o.map, tool.name)) };
  });

  const callTool = async (request: CallToolRequest, signal: AbortSignal): Promise<CallToolResult> => {
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
    const written = writtenContent(args, tool);
    let upstreamResult: CallToolResult | undefined;
    // A mediator failure throws here and becomes a JSON-RPC error: fail closed, the upstream is never called.
    // The client's cancel (or its request timeout, 60 s by default, well inside --approval-timeout) aborts `signal`:
    // from then on gatedCall never starts the tool.
    const gated = await gatedCall(
      mediator,
      {
        runset: o.runset,
        agent: o.agent,
        session: o.session,
        tool: name,
        capability: tool.capability,
        resource,
        args: { ...ledgerArgs(args), ...(written?.patchDigest && { patchDigest: written.patchDigest }) },
        ...(written && { content: written.content }),
      },
      async () => {
        // Not given `signal`: once started, a tool runs to its own end, so the outcome ledgered is what it really did
        // (a cancelled request would answer "error" while the upstream may still complete the write).
        upstreamResult = (await o.upstream.callTool({ name, arguments: args })) as CallToolResult;
        const isError = upstreamResult.isError === true;
        return {
          status: isError ? "error" : "ok",
          content: JSON.stringify(upstreamResult.content ?? upstreamResult),
          // The server scans the result's text for secrets (a finding marks the session); the JSON would hide line breaks.
          read: readText(upstreamResult.content ?? upstreamResult),
          summary: `${name} on ${resource}: ${isError ? "error" : "ok"}`,
          ...(tool.taints ? { taint: { source: `mcp:${name}:${resource}` } } : {}),
        };
      },
      { approval: o.approval, signal },
    );
    if (gated.outcome === "ran" && upstreamResult) return upstreamResult;
    return refusal(gated.content);
  };

  server.setRequestHandler(CallToolRequestSchema, (request, extra) => {
    const handling = callTool(request, extra.signal);
    const done = () => inFlight.delete(handling);
    inFlight.add(handling);
    handling.then(done, done);
    return handling;
  });

  return Object.assign(server, { drain: () => closing ?? drain() });
}
