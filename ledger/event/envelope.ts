// The ledger event envelope: what one leaf says, and the exact bytes (RFC 8785) that are hashed and signed.
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

/** Parses stored canonical bytes back into an event, refusing bytes that are not canonical. */
export function parseCanonicalEvent(bytes: Uint8Array): LedgerEvent {
  const text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  const event = JSON.parse(text) as LedgerEvent;
  if (canonicalJson(event) !== text) {
    throw new MaestroError("verification_failed", "event bytes are not RFC 8785 canonical JSON");
  }
  validateEnvelope(event);
  return event;
}

/** The lookup key stored beside each entry, e.g. "decision:3f2a…". */
export function subjectKey(subject: Subject | undefined): string | null {
  return subject ? `${subject.type}:${subject.id}` : null;
}
