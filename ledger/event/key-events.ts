// The key registry's events, key.added and key.retired: how a verification key becomes trusted, and stops being.
//
// A key is trusted by a verifier when it is one of the verifier's anchors (the key files, or keys it pinned) or when
// a key.added event signed by an already trusted event key introduces it. A signing_keys row alone proves nothing.
import { createHash } from "node:crypto";
import type { EventInput, LedgerEvent } from "./envelope.ts";

export const KEY_ADDED = "key.added";
export const KEY_RETIRED = "key.retired";
export const KEY_PURPOSES = ["event", "token", "checkpoint"] as const;
export type KeyPurpose = (typeof KEY_PURPOSES)[number];

/** An Ed25519 public key as a JWK with only the members RFC 7638 hashes. */
export interface PublicJwk {
  kty: "OKP";
  crv: "Ed25519";
  x: string;
}

export type KeyEvent =
  | { kind: typeof KEY_ADDED; purpose: KeyPurpose; kid: string; jwk: PublicJwk; vkey?: string }
  | { kind: typeof KEY_RETIRED; purpose: KeyPurpose; kid: string };

const ACTOR = { type: "service", id: "maestro" } as const;

/** RFC 7638 thumbprint of an Ed25519 JWK: SHA-256 of its required members in lexicographic order, base64url. */
export function jwkThumbprint(jwk: { crv?: unknown; kty?: unknown; x?: unknown }): string {
  return createHash("sha256")
    .update(JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x }))
    .digest("base64url");
}

export function keyAddedEvent(key: { purpose: KeyPurpose; kid: string; x: string; vkey?: string }): EventInput {
  const jwk: PublicJwk = { crv: "Ed25519", kty: "OKP", x: key.x } as PublicJwk;
  return {
    kind: KEY_ADDED,
    actor: ACTOR,
    subject: { type: "key", id: key.kid },
    payload: { jwk, kid: key.kid, purpose: key.purpose, ...(key.vkey ? { vkey: key.vkey } : {}) },
  };
}

export function keyRetiredEvent(purpose: KeyPurpose, kid: string): EventInput {
  return { kind: KEY_RETIRED, actor: ACTOR, subject: { type: "key", id: kid }, payload: { kid, purpose } };
}

/**
 * The key event an entry holds, or null for any other kind. Throws (with the reason) on a key event whose payload
 * is malformed or whose kid is not the thumbprint of its key: a verifier must not trust such a key.
 */
export function readKeyEvent(event: LedgerEvent): KeyEvent | null {
  if (event.kind !== KEY_ADDED && event.kind !== KEY_RETIRED) return null;
  const p = event.payload as Record<string, unknown>;
  const purpose = p.purpose as KeyPurpose;
  if (!KEY_PURPOSES.includes(purpose))
    throw new Error(`${event.kind}: purpose ${JSON.stringify(p.purpose)} is not event, token or checkpoint`);
  if (typeof p.kid !== "string" || p.kid === "") throw new Error(`${event.kind}: no kid`);
  if (event.subject?.type !== "key" || event.subject.id !== p.kid) throw new Error(`${event.kind}: subject is not key:${p.kid}`);
  if (event.kind === KEY_RETIRED) return { kind: KEY_RETIRED, purpose, kid: p.kid };
  const jwk = p.jwk as Record<string, unknown> | undefined;
  if (!jwk || jwk.kty !== "OKP" || jwk.crv !== "Ed25519" || typeof jwk.x !== "string" || Buffer.from(jwk.x, "base64url").length !== 32) {
    throw new Error(`key.added ${p.kid}: jwk is not an Ed25519 public key`);
  }
  const kid = jwkThumbprint(jwk);
  if (kid !== p.kid) throw new Error(`key.added ${p.kid}: kid is not the RFC 7638 thumbprint of its jwk (${kid})`);
  if (purpose === "checkpoint" && typeof p.vkey !== "string") throw new Error(`key.added ${p.kid}: a checkpoint key needs its vkey`);
  const vkey = typeof p.vkey === "string" ? p.vkey : undefined;
  return { kind: KEY_ADDED, purpose, kid, jwk: { kty: "OKP", crv: "Ed25519", x: jwk.x }, ...(vkey ? { vkey } : {}) };
}
