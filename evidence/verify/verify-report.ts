// Collects the outcome of each verification step by part, so a failure always names what it is about.

export interface Check {
  part: string;
  ok: boolean;
  message: string;
}

export class Report {
  readonly checks: Check[] = [];
  readonly #onCheck?: (check: Check) => void;

  /** `onCheck` sees each check as it is recorded (the console shows them as they pass or fail). */
  constructor(onCheck?: (check: Check) => void) {
    this.#onCheck = onCheck;
  }

  pass(part: string, message: string): void {
    this.record({ part, ok: true, message });
  }

  fail(part: string, message: string): void {
    this.record({ part, ok: false, message });
  }

  record(...checks: Check[]): void {
    this.checks.push(...checks);
    if (this.#onCheck) for (const check of checks) this.#onCheck(check);
  }

  /**
   * Runs one step; a throw becomes a failure of `part` and the step's value is undefined. `ok` may be a function
   * when the success message names what the step found (the claim set it checked).
   */
  async step<T>(part: string, ok: string | (() => string), fn: () => T | Promise<T>): Promise<T | undefined> {
    try {
      const value = await fn();
      this.pass(part, typeof ok === "function" ? ok() : ok);
      return value;
    } catch (err) {
      this.fail(part, err instanceof Error ? err.message : String(err));
      return undefined;
    }
  }

  get failures(): Check[] {
    return this.checks.filter((c) => !c.ok);
  }

  get ok(): boolean {
    return this.failures.length === 0;
  }
}

/** Throws with `message` unless `condition` holds. */
export function ensure(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

/** "/events/3/proof/1" → "events[3]"; "/release/version" → "release". */
export function partOfPointer(pointer: string): string {
  const [top, second] = pointer.split("/").slice(1);
  if (!top) return "file";
  if (top === "events" && second !== undefined && /^\d+$/.test(second)) return `events[${second}]`;
  if (top === "safetyCase" && second) return `safetyCase.${second}`;
  return top;
}
