// One conversation interface over both providers: send tool results, get the model's next text, tool calls and token use.

export interface ToolSpec {
  name: string;
  description: string;
  inputSchema: Record<string, unknown>;
}

export interface ToolUse {
  id: string;
  name: string;
  /** Parsed input; null when the provider sent arguments that are not a JSON object. */
  input: Record<string, unknown> | null;
}

export interface ToolResult {
  toolUseId: string;
  content: string;
  isError: boolean;
}

export interface Usage {
  inputTokens: number;
  outputTokens: number;
}

export interface Turn {
  text: string;
  toolUses: ToolUse[];
  usage: Usage;
  /** The model ended its turn without asking for tools. */
  done: boolean;
}

export interface ConversationStart {
  model: string;
  system: string;
  goal: string;
  tools: ToolSpec[];
  maxTokens: number;
}

export interface Conversation {
  /** First call: results is empty. Later calls: the results for the previous turn's tool uses, in order. */
  next(results: ToolResult[]): Promise<Turn>;
}

export interface Provider {
  name: "anthropic" | "openai";
  start(options: ConversationStart): Conversation;
}

/** Options for the SDK clients; the API key comes from the environment and is never ledgered or logged. */
export interface ProviderClientOptions {
  apiKey?: string;
  baseURL?: string;
  /** The SDKs' own retry and timeout machinery (both default to 2 retries). */
  maxRetries?: number;
  timeoutMs?: number;
}
