// Picks the provider adapter a runset names; both read their API key from the environment only.
import { MaestroError } from "../../common/errors.ts";
import { anthropicProvider } from "./anthropic-provider.ts";
import { openaiProvider } from "./openai-provider.ts";
import type { Provider, ProviderClientOptions } from "./provider.ts";

export type ProviderName = "anthropic" | "openai";

export function createProvider(name: ProviderName, options: ProviderClientOptions = {}, env: NodeJS.ProcessEnv = process.env): Provider {
  if (name === "anthropic") return anthropicProvider(options, env);
  if (name === "openai") return openaiProvider(options, env);
  throw new MaestroError("invalid_field", `unknown provider "${String(name)}"`, { field: "provider" });
}
