// Test-only: builds a signed in-memory ledger (events, leaf hashes, JWS, checkpoints) without any store.
import { itemAt } from "../../common/present.ts";
import { generateKeyPairSync, type KeyObject } from "node:crypto";
import { CompactSign, calculateJwkThumbprint, exportJWK, type JWK } from "jose";
import { generateNoteKey, leafHash, parseSignerKey, signCheckpoint } from "../core/index.ts";
import { canonicalBytes, stampEvent } from "../event/envelope.ts";
import { CompactRange } from "./compact-range.ts";
import type { VerifyEntry } from "./types.ts";

export const ORIGIN = "maestro.test/ledger";

export interface TestLog {
  entries: VerifyEntry[];
  eventKeys: JWK[];
  vkey: string;
  privateKey: KeyObject;
  kid: string;
  checkpointAt(size: number): string;
  rootAt(size: number): Uint8Array;
  signEvent(canonical: Uint8Array): Promise<string>;
}

export async function buildTestLog(size: number): Promise<TestLog> {
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
  const jwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(jwk);
  const signEvent = async (canonical: Uint8Array) => {
    const jws = await new CompactSign(canonical).setProtectedHeader({ alg: "EdDSA", kid, typ: "maestro-event+jcs" }).sign(privateKey);
    const [h, , s] = jws.split(".");
    return `${h}..${s}`;
  };
  const entries: VerifyEntry[] = [];
  for (let i = 0; i < size; i++) {
    const event = stampEvent(
      { kind: "decision", actor: { type: "agent", id: `agent-${i % 3}` }, subject: { type: "decision", id: `d${i}` }, payload: { n: i } },
      new Date(Date.UTC(2026, 0, 1, 0, 0, i)),
    );
    const canonical = canonicalBytes(event);
    entries.push({ index: i, leafHash: leafHash(canonical), canonical, signature: await signEvent(canonical) });
  }
  const note = generateNoteKey(ORIGIN);
  const signer = parseSignerKey(note.signerKey);
  const rootAt = (n: number) => {
    const r = new CompactRange();
    for (const e of entries.slice(0, n)) r.append(e.leafHash);
    return r.root();
  };
  return {
    entries,
    eventKeys: [{ ...jwk, kid, alg: "EdDSA", use: "sig" }],
    vkey: note.vkey,
    privateKey,
    kid,
    rootAt,
    checkpointAt: (n) => signCheckpoint({ origin: ORIGIN, size: n, rootHash: rootAt(n) }, signer),
    signEvent,
  };
}

/** A copy of `bytes` with one byte changed (XOR 0x01 keeps ASCII printable). */
export function flipByte(bytes: Uint8Array, at: number): Uint8Array {
  const out = bytes.slice();
  out[at] = itemAt(out, at, "bytes") ^ 0x01;
  return out;
}
