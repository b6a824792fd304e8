// For the core's tests: the MaestroError code a call throws, or "ok" when it returns.
import { expect } from "vitest";
import { MaestroError } from "../../common/errors.ts";

export function errorCode(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(MaestroError);
    return (e as MaestroError).code;
  }
  return "ok";
}
