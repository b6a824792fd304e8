// Parses a ledger event's exact bytes and insists they are its RFC 8785 (JCS) form — the fast path for bulk verification.
import { validateEnvelope } from "../../../ledger/event/envelope-schema.ts";
import type { LedgerEvent } from "../../../ledger/event/envelope.ts";
import { canonicalJson } from "../../../ledger/event/canonical-json.ts";

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
  let canonical: string;
  try {
    // Stored events list their keys in order, so this is JSON.stringify after one walk over the event.
    canonical = canonicalJson(event);
  } catch (err) {
    throw new Error(`event bytes are not RFC 8785 canonical JSON: ${(err as Error).message}`, { cause: err });
  }
  if (canonical !== text) throw new Error("event bytes are not RFC 8785 canonical JSON");
  validateEnvelope(event);
  return event;
}
