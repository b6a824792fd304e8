// The ledger event envelope: what one leaf says, and the exact bytes (RFC 8785) that are hashed and signed.
import { isUtf8 } from "node:buffer";
import { randomUUID } from "node:crypto";
import { MaestroError } from "../../common/errors.ts";
import { validateEnvelope } from "./envelope-schema.ts";
import { canonicalJson } from "./canonical-json.ts";

export interface Actor {
  type: "user" | "agent" | "service";
  id: string;
  role?: string;
}

export interface Subject {
  type: string;
  id: string;
}

/** Version 1 of the envelope. Kinds grow (decision, outcome, waiver.*, hold.*, release.*, policy.*) without migrations. */
export interface LedgerEvent {
  v: 1;
  id: string;
  kind: string;
  time: string;
  actor: Actor;
  subject?: Subject;
  payload: Record<string, unknown>;
}

/** What a producer hands to the ledger; id and time are stamped at append. */
export interface EventInput {
  kind: string;
  actor: Actor;
  subject?: Subject;
  payload: Record<string, unknown>;
}

const encoder = new TextEncoder();

export function stampEvent(input: EventInput, now: Date): LedgerEvent {
  // Members in RFC 8785 order, so canonicalJson can write the event natively (see canonical-json.ts).
  const event: LedgerEvent = {
    actor: input.actor,
    id: randomUUID(),
    kind: input.kind,
    payload: input.payload,
    ...(input.subject ? { subject: input.subject } : {}),
    time: now.toISOString(),
    v: 1,
  };
  validateEnvelope(event);
  return event;
}

/** RFC 8785 JSON Canonicalization Scheme: the bytes behind the leaf hash and the JWS. */
export function canonicalBytes(value: unknown): Uint8Array {
  let text: string;
  try {
    text = canonicalJson(value);
  } catch (err) {
    throw new MaestroError("bad_request", `event is not representable as RFC 8785 JSON: ${(err as Error).message}`, { cause: err });
  }
  return encoder.encode(text);
}

/**
 * Parses stored canonical bytes back into an event, refusing bytes that are not UTF-8, not RFC 8785 canonical JSON
 * or not a valid envelope; the message says which. On every read and verify path, so it stays cheap: stored events
 * list their keys in order, which makes the canonical check JSON.stringify after one walk over the event.
 */
export function parseCanonicalEvent(bytes: Uint8Array): LedgerEvent {
  const refuse = (message: string, cause?: unknown) => new MaestroError("verification_failed", message, { cause });
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // Checked before decoding: decoding replaces a bad sequence with U+FFFD, which can even keep the length.
  if (!isUtf8(buffer)) throw refuse("event bytes are not valid UTF-8");
  const text = buffer.toString("utf8");
  let event: LedgerEvent;
  try {
    event = JSON.parse(text) as LedgerEvent;
  } catch (err) {
    throw refuse("event bytes are not JSON", err);
  }
  let canonical: string;
  try {
    canonical = canonicalJson(event);
  } catch (err) {
    throw refuse(`event bytes are not RFC 8785 canonical JSON: ${(err as Error).message}`, err);
  }
  if (canonical !== text) throw refuse("event bytes are not RFC 8785 canonical JSON");
  validateEnvelope(event);
  return event;
}

/** The lookup key stored beside each entry, e.g. "decision:3f2a…". */
export function subjectKey(subject: Subject | undefined): string | null {
  return subject ? `${subject.type}:${subject.id}` : null;
}
