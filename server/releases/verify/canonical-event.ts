// Parses a ledger event's exact bytes and insists they are its RFC 8785 (JCS) form — the fast path for bulk verification.
import { validateEnvelope } from "../../../ledger/event/envelope-schema.ts";
import type { LedgerEvent } from "../../../ledger/event/envelope.ts";

/**
 * RFC 8785 for values that came from JSON.parse: object keys sorted by UTF-16 code units, primitives as ECMAScript
 * JSON.stringify writes them (RFC 8785 §3.2.2 adopts exactly that). Recursion is fine: events are shallow.
 */
export function jcs(value: unknown): string {
  if (value === null || typeof value !== "object") {
    if (typeof value === "string" && !value.isWellFormed()) throw new Error("lone surrogate in a string");
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map(jcs).join(",")}]`;
  const obj = value as Record<string, unknown>;
  return `{${Object.keys(obj)
    .sort()
    .map((k) => `${jcs(k)}:${jcs(obj[k])}`)
    .join(",")}}`;
}

/**
 * True when every object's keys are already in RFC 8785 order (UTF-16 code units, which is what `<` compares).
 * Then JSON.stringify — native, and the serializer RFC 8785 adopts for primitives — writes exactly the JCS form.
 * JSON.parse keeps key order except for integer-like keys, which V8 lists first: those objects fail here and take jcs().
 */
function keysInCanonicalOrder(value: unknown): boolean {
  if (value === null || typeof value !== "object") return true;
  if (Array.isArray(value)) return value.every(keysInCanonicalOrder);
  let previous: string | undefined;
  for (const key in value) {
    if (previous !== undefined && !(previous < key)) return false;
    previous = key;
    if (!keysInCanonicalOrder((value as Record<string, unknown>)[key])) return false;
  }
  return true;
}

/** RFC 8785 form of a parsed value: the native serializer when keys are in order, else the general jcs(). */
export function canonicalText(value: unknown, source: string): string {
  // A "\ud…" escape in canonical text can only be a lone surrogate, which jcs() rejects: leave that to it.
  if (!source.includes("\\ud") && keysInCanonicalOrder(value)) return JSON.stringify(value);
  return jcs(value);
}

/** Same contract as ledger/event's parseCanonicalEvent (UTF-8, canonical, valid envelope), with plain Errors. */
export function parseCanonical(bytes: Uint8Array): LedgerEvent {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("utf8");
  // Invalid UTF-8 decodes to U+FFFD, which re-encodes to other bytes: the length check catches it.
  if (Buffer.byteLength(text) !== bytes.byteLength) throw new Error("event bytes are not valid UTF-8");
  let event: LedgerEvent;
  try {
    event = JSON.parse(text) as LedgerEvent;
  } catch {
    throw new Error("event bytes are not JSON");
  }
  if (canonicalText(event, text) !== text) throw new Error("event bytes are not RFC 8785 canonical JSON");
  validateEnvelope(event);
  return event;
}
