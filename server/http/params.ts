// Strict parsing of path and query parameters: non-negative integers only, errors name the field.
import { MaestroError } from "../../common/errors.ts";

export function parseIndexParam(value: string | undefined, field: string): number {
  if (value === undefined || value === "") throw new MaestroError("invalid_field", `${field} is required`, { field });
  if (!/^(0|[1-9]\d{0,15})$/.test(value)) {
    throw new MaestroError("invalid_field", `${field} must be a non-negative integer`, { field });
  }
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new MaestroError("invalid_field", `${field} is too large`, { field });
  return n;
}

/** Reads a JSON body, mapping malformed JSON to a 400 naming the body. */
export async function readJson(req: { json(): Promise<unknown> }): Promise<unknown> {
  try {
    return await req.json();
  } catch {
    throw new MaestroError("bad_request", "request body must be valid JSON", { field: "/" });
  }
}
