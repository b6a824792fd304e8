// Provider over @anthropic-ai/sdk Messages API tool use (https://docs.anthropic.com/en/docs/build-with-claude/tool-use).
import Anthropic from "@anthropic-ai/sdk";
import type { ContentBlockParam, MessageParam } from "@anthropic-ai/sdk/resources/messages/messages";
import { MaestroError } from "../../common/errors.ts";
import type { Conversation, ConversationStart, Provider, ProviderClientOptions, ToolResult, Turn } from "./provider.ts";

export function anthropicProvider(options: ProviderClientOptions = {}, env: NodeJS.ProcessEnv = process.env): Provider {
  const apiKey = options.apiKey ?? env.ANTHROPIC_API_KEY;
  if (!apiKey) throw new MaestroError("bad_request", "ANTHROPIC_API_KEY is not set");
  const client = new Anthropic({
    apiKey,
    baseURL: options.baseURL ?? env.ANTHROPIC_BASE_URL ?? undefined,
    maxRetries: options.maxRetries ?? 2,
    timeout: options.timeoutMs ?? 120_000,
  });
  return {
    name: "anthropic",
    start(start: ConversationStart): Conversation {
      const messages: MessageParam[] = [{ role: "user", content: start.goal }];
      const tools = start.tools.map((t) => ({
        name: t.name,
        description: t.description,
        input_schema: t.inputSchema as Anthropic.Tool.InputSchema,
      }));
      return {
        async next(results: ToolResult[]): Promise<Turn> {
          if (results.length > 0) {
            messages.push({
              role: "user",
              content: results.map((r): ContentBlockParam => ({
                type: "tool_result",
                tool_use_id: r.toolUseId,
                content: r.content,
                is_error: r.isError,
              })),
            });
          }
          const response = await client.messages.create({
            model: start.model,
            max_tokens: start.maxTokens,
            system: start.system,
            messages,
            tools,
          });
          messages.push({ role: "assistant", content: response.content as ContentBlockParam[] });
          const toolUses = response.content.flatMap((block) =>
            block.type === "tool_use" ? [{ id: block.id, name: block.name, input: isObject(block.input) ? block.input : null }] : [],
          );
          const text = response.content.flatMap((block) => (block.type === "text" ? [block.text] : [])).join("\n");
          return {
            text,
            toolUses,
            usage: { inputTokens: response.usage.input_tokens ?? 0, outputTokens: response.usage.output_tokens ?? 0 },
            done: toolUses.length === 0,
          };
        },
      };
    },
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
