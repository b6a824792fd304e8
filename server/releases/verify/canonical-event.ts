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
  if (jcs(event) !== text) throw new Error("event bytes are not RFC 8785 canonical JSON");
  validateEnvelope(event);
  return event;
}
