// The switch that stops this process appending and signing once its stored head failed a fork check (until restart).
import { MaestroError } from "../../common/errors.ts";

export type FenceLog = (line: Record<string, unknown>) => void;

const logToStderr: FenceLog = (line) => console.error(JSON.stringify(line));

/**
 * Shared by the writer and the checkpointer. Sticky on purpose: a head that failed once is not trusted again because a
 * later read happens to pass; an operator restores or repairs the store and restarts, and the start check decides anew.
 */
export class WriteFence {
  #refusal: MaestroError | null = null;
  readonly #log: FenceLog;

  constructor(log: FenceLog = logToStderr) {
    this.#log = log;
  }

  get refusal(): MaestroError | null {
    return this.#refusal;
  }

  /** Closes the fence with `err` (the first refusal wins) and logs what is wrong and how to investigate, once. */
  refuse(err: MaestroError): void {
    if (this.#refusal) return;
    this.#refusal = err;
    this.#log({ level: "error", msg: "ledger writes refused", code: err.code, problem: err.details?.problem, detail: err.message });
  }

  /** Throws the refusal (a fresh error each time, so each caller's stack is its own) once the fence is closed. */
  assertOpen(): void {
    const r = this.#refusal;
    if (r) throw new MaestroError(r.code, r.message, { details: r.details, cause: r });
  }
}
