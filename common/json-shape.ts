// What every JSON input must satisfy before its schema is checked: bounded nesting, well-formed Unicode, no NUL.
//
// Nesting: free-form members (a tool call's args, a run event's payload) are walked recursively later (secret
// redaction, RFC 8785 canonicalization, JSON.stringify); a few KiB of "[[[[…" would otherwise overflow the stack
// there and answer 500. Unicode: a lone surrogate ("\ud800") has no RFC 8785 form, so an event holding one could
// never be signed; refused here, with the field named, rather than met at the append. NUL: PostgreSQL text and jsonb
// cannot hold U+0000, so a string carrying one reached the store's group commit and failed every decision batched
// with it (issue 14); nothing legitimate needs it, so it is refused here in every string and key.

/** Deepest nesting of objects and arrays accepted in a request body (the body itself is depth 1). */
export const MAX_JSON_DEPTH = 64;

export interface JsonShapeProblem {
  /** JSON Pointer (RFC 6901) of the offending member, e.g. "/args/a~1b/0". */
  field: string;
  message: string;
}

/** The first member nested too deep or holding a lone surrogate or NUL (in a key or a string), if any. */
export function jsonShapeProblem(value: unknown): JsonShapeProblem | null {
  const found = firstProblem(value, 0);
  if (!found) return null;
  const field = found.path.length === 0 ? "/" : found.path.map((key) => `/${key.replaceAll("~", "~0").replaceAll("/", "~1")}`).join("");
  return { field, message: found.message };
}

const DEEP = `nesting deeper than ${MAX_JSON_DEPTH} levels`;
const ILL_FORMED = "strings must be well-formed Unicode: a lone surrogate has no RFC 8785 form";
const NUL = "strings must not contain U+0000 (NUL)";

/** Why a string (a value, a key or a path parameter) is refused at the boundary, or undefined if it is fine. */
export function stringProblem(value: string): string | undefined {
  if (!value.isWellFormed()) return ILL_FORMED;
  if (value.includes("\u0000")) return NUL;
  return undefined;
}

// The path is built only on the way back from a problem, so the common case allocates nothing.
function firstProblem(value: unknown, depth: number): { path: string[]; message: string } | undefined {
  if (typeof value === "string") {
    const message = stringProblem(value);
    return message === undefined ? undefined : { path: [], message };
  }
  if (value === null || typeof value !== "object") return undefined;
  if (depth === MAX_JSON_DEPTH) return { path: [], message: DEEP };
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = firstProblem(value[i], depth + 1);
      if (found) return { path: [String(i), ...found.path], message: found.message };
    }
    return undefined;
  }
  for (const key in value) {
    if (!Object.hasOwn(value, key)) continue;
    const keyMessage = stringProblem(key);
    if (keyMessage !== undefined) return { path: [key], message: keyMessage };
    const found = firstProblem((value as Record<string, unknown>)[key], depth + 1);
    if (found) return { path: [key, ...found.path], message: found.message };
  }
  return undefined;
}
