// Token prices per model (USD per million tokens) and the cost of one turn; runset files override or extend the table.
import { MaestroError } from "../../common/errors.ts";
import type { Usage } from "./provider.ts";

export interface ModelPrice {
  input_per_mtok: number;
  output_per_mtok: number;
}

export type PriceTable = Record<string, ModelPrice>;

/**
 * Defaults for convenience only: list prices change, so operators should pin theirs in the runset
 * (`prices:`). A model with no price fails the run before any call: spend that cannot be counted
 * cannot be capped.
 */
export const DEFAULT_PRICES: PriceTable = {
  "claude-opus-4-1": { input_per_mtok: 15, output_per_mtok: 75 },
  "claude-sonnet-4-5": { input_per_mtok: 3, output_per_mtok: 15 },
  "claude-haiku-4-5": { input_per_mtok: 1, output_per_mtok: 5 },
  "gpt-5": { input_per_mtok: 1.25, output_per_mtok: 10 },
  "gpt-5-mini": { input_per_mtok: 0.25, output_per_mtok: 2 },
  "gpt-4.1": { input_per_mtok: 2, output_per_mtok: 8 },
};

export function priceFor(table: PriceTable, model: string): ModelPrice {
  const price = table[model];
  if (!price)
    throw new MaestroError("invalid_field", `no price for model "${model}": add it under prices: in the runset`, { field: "prices" });
  return price;
}

export function costUsd(price: ModelPrice, usage: Usage): number {
  return (usage.inputTokens * price.input_per_mtok + usage.outputTokens * price.output_per_mtok) / 1_000_000;
}
