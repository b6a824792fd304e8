// Spend tracking for one agent run, with the same rule the policy applies: spent + estimated must stay within the cap.
import { costUsd, type ModelPrice } from "./price-table.ts";
import type { Usage } from "./provider.ts";

export class Budget {
  readonly capUsd: number | null;
  #price: ModelPrice;
  #spent = 0;
  #lastTurn = 0;
  #unreported = 0;
  inputTokens = 0;
  outputTokens = 0;

  constructor(price: ModelPrice, capUsd: number | null) {
    this.#price = price;
    this.capUsd = capUsd;
  }

  get spentUsd(): number {
    return this.#spent;
  }

  /** The next turn is estimated to cost what the last one did (conversations grow, so it is a floor). */
  get estimatedUsd(): number {
    return this.#lastTurn;
  }

  charge(usage: Usage): number {
    const cost = costUsd(this.#price, usage);
    this.#spent += cost;
    this.#lastTurn = cost;
    this.#unreported += cost;
    this.inputTokens += usage.inputTokens;
    this.outputTokens += usage.outputTokens;
    return cost;
  }

  /** Spend not yet sent to the server (as an outcome's costUsd); resets to zero. */
  takeUnreported(): number {
    const cost = this.#unreported;
    this.#unreported = 0;
    return cost;
  }

  /** Mirrors policies/rego/outcome.rego over_budget: a null cap never runs out. */
  exhausted(): boolean {
    if (this.capUsd === null) return false;
    return this.#spent >= this.capUsd || this.#spent + this.#lastTurn > this.capUsd;
  }

  snapshot(): { spent_usd: number; cap_usd: number | null; estimated_usd: number; input_tokens: number; output_tokens: number } {
    return {
      spent_usd: round(this.#spent),
      cap_usd: this.capUsd,
      estimated_usd: round(this.#lastTurn),
      input_tokens: this.inputTokens,
      output_tokens: this.outputTokens,
    };
  }
}

function round(usd: number): number {
  return Math.round(usd * 1e6) / 1e6;
}
