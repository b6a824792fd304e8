// Connects the proxy's MCP client to the real server: a child process over stdio, or a Streamable HTTP endpoint.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { MaestroError } from "../../common/errors.ts";

export type UpstreamSpec =
  { command: string; args: string[]; cwd?: string; env?: Record<string, string> } | { url: string; headers?: Record<string, string> };

export async function connectUpstream(spec: UpstreamSpec, name = "maestro-mcp-proxy"): Promise<Client> {
  const client = new Client({ name, version: "0.1.0" });
  const transport =
    "url" in spec
      ? new StreamableHTTPClientTransport(new URL(spec.url), { requestInit: { headers: spec.headers } })
      : new StdioClientTransport({
          command: spec.command,
          args: spec.args,
          cwd: spec.cwd,
          env: spec.env,
          // The upstream's stderr is diagnostics; our stdout belongs to the MCP client.
          stderr: "inherit",
        });
  try {
    await client.connect(transport);
  } catch (err) {
    throw new MaestroError("bad_request", `cannot start or reach the upstream MCP server: ${(err as Error).message}`, { cause: err });
  }
  return client;
}
