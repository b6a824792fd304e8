// Provider over the openai SDK Chat Completions function calling (https://platform.openai.com/docs/guides/function-calling).
import OpenAI from "openai";
import type { ChatCompletionMessageParam, ChatCompletionTool } from "openai/resources/chat/completions";
import { MaestroError } from "../../common/errors.ts";
import type { Conversation, ConversationStart, Provider, ProviderClientOptions, ToolResult, ToolUse, Turn } from "./provider.ts";

export function openaiProvider(options: ProviderClientOptions = {}, env: NodeJS.ProcessEnv = process.env): Provider {
  const apiKey = options.apiKey ?? env.OPENAI_API_KEY;
  if (!apiKey) throw new MaestroError("bad_request", "OPENAI_API_KEY is not set");
  const client = new OpenAI({
    apiKey,
    baseURL: options.baseURL ?? env.OPENAI_BASE_URL ?? undefined,
    maxRetries: options.maxRetries ?? 2,
    timeout: options.timeoutMs ?? 120_000,
  });
  return {
    name: "openai",
    start(start: ConversationStart): Conversation {
      const messages: ChatCompletionMessageParam[] = [
        { role: "system", content: start.system },
        { role: "user", content: start.goal },
      ];
      const tools: ChatCompletionTool[] = start.tools.map((t) => ({
        type: "function",
        function: { name: t.name, description: t.description, parameters: t.inputSchema },
      }));
      return {
        async next(results: ToolResult[]): Promise<Turn> {
          // Function results go back as role "tool" messages; an error is said in the content (no is_error field here).
          for (const r of results)
            messages.push({ role: "tool", tool_call_id: r.toolUseId, content: r.isError ? `ERROR: ${r.content}` : r.content });
          const completion = await client.chat.completions.create({
            model: start.model,
            max_completion_tokens: start.maxTokens,
            messages,
            tools,
          });
          const message = completion.choices[0]?.message;
          if (!message) throw new MaestroError("internal", "provider returned no choices");
          messages.push(message as ChatCompletionMessageParam);
          const toolUses: ToolUse[] = (message.tool_calls ?? []).flatMap((call) =>
            call.type === "function" ? [{ id: call.id, name: call.function.name, input: parseArguments(call.function.arguments) }] : [],
          );
          return {
            text: message.content ?? "",
            toolUses,
            usage: { inputTokens: completion.usage?.prompt_tokens ?? 0, outputTokens: completion.usage?.completion_tokens ?? 0 },
            done: toolUses.length === 0,
          };
        },
      };
    },
  };
}

function parseArguments(text: string): Record<string, unknown> | null {
  try {
    const value = JSON.parse(text) as unknown;
    return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
