// The agents module's public entry: mediator clients, the runner, run-sets, the MCP proxy and coding-agent hooks.
export { CAPABILITIES, type Capability, isCapability } from "./capabilities.ts";
export type {
  Decision,
  DecisionKind,
  MediateCall,
  MediatorClient,
  Outcome,
  OutcomeStatus,
  Reason,
  RunEvent,
} from "./mediator-client/mediator-client.ts";
export { reasonText } from "./mediator-client/mediator-client.ts";
export { DEFAULT_MAESTRO_URL, HttpMediatorClient, httpMediatorFromEnv, parseDecision } from "./mediator-client/http-mediator-client.ts";
export {
  type AgentPrincipal,
  type InProcessMediator,
  InProcessMediatorClient,
  type RunEventWriter,
} from "./mediator-client/in-process-mediator-client.ts";
export { type ApprovalWait, pollApproval } from "./mediator-client/approval-wait.ts";
export { type GatedResult, gatedCall, type ToolRun } from "./mediator-client/gated-call.ts";
export { type AgentProgress, type AgentRunOptions, type AgentRunResult, runAgent } from "./runner/agent-runner.ts";
export { Budget } from "./runner/budget.ts";
export { DEFAULT_PRICES, type ModelPrice, type PriceTable } from "./runner/price-table.ts";
export type { Conversation, Provider, ProviderClientOptions } from "./runner/provider.ts";
export { createProvider, type ProviderName } from "./runner/providers.ts";
export { BUILTIN_TOOLS, toolsNamed } from "./tools/catalogue.ts";
export type { AgentTool, ToolEnv } from "./tools/tool.ts";
export { toolEnv } from "./tools/tool-env.ts";
export { type LoadedRunset, loadRunset, parseRunset, registrationOf, type Runset } from "./runset/runset-file.ts";
export { runRunset, type RunsetProgress, type RunsetReport } from "./runset/run-runset.ts";
export { createMcpProxy, type McpProxyOptions } from "./mcp/mcp-proxy.ts";
export { loadToolMap, parseToolMap, type ToolMap } from "./mcp/tool-map.ts";
export { connectUpstream, type UpstreamSpec } from "./mcp/upstream.ts";
export { handleHook, type HookOptions } from "./hooks/coding-agent-hook.ts";
export { builtInMap, CLAUDE_CODE_TOOLS, CODEX_TOOLS, toolMatcher } from "./hooks/tool-table.ts";
