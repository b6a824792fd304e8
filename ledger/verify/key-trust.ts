// Which keys the verifier trusts at each point of the log: its anchors, plus what key.added / key.retired events say.
//
// Anchors come from outside the store (the key files, or keys the auditor pinned). A key.added event counts only if
// its entry's signature verified under a key trusted at that point, so trust is a chain from the anchors; a key that
// exists only as a database row never enters it. A retired event key signs no later entry; a retired checkpoint key
// vouches only for checkpoints no larger than the log was when it was retired.
import type { JWK } from "jose";
import { formatVkey, keyIdHex, parseVkey, type NoteVerifier } from "../core/index.ts";
import { jwkThumbprint, KEY_ADDED, readKeyEvent } from "../event/key-events.ts";
import type { LedgerEvent } from "../event/envelope.ts";

interface CheckpointKey {
  vkey: string;
  /** RFC 7638 thumbprint of the key, the name key.retired uses. */
  kid: string;
  verifier: NoteVerifier;
  /** Trusted for checkpoints of at most this size (the log's size when its key.retired was appended). */
  maxSize: number;
}

export class KeyTrust {
  readonly #event = new Map<string, JWK>();
  readonly #checkpoint = new Map<string, CheckpointKey>();
  /** Purposes ledgered by key.added, by kid: the signing_keys rows must agree. */
  readonly purposes = new Map<string, string>();
  #version = 0;

  constructor(anchors: { eventKeys: JWK[]; checkpointKeys: string[] }) {
    for (const jwk of anchors.eventKeys) if (typeof jwk.kid === "string") this.#event.set(jwk.kid, jwk);
    for (const vkey of anchors.checkpointKeys) this.#addCheckpointKey(vkey.trim());
  }

  /** Changes whenever the trusted event keys change, so callers know to hand new keys to their checkers. */
  get version(): number {
    return this.#version;
  }

  eventKeys(): JWK[] {
    return [...this.#event.values()];
  }

  /** The checkpoint verifiers trusted for a checkpoint of `size`. */
  checkpointVerifiers(size: number): NoteVerifier[] {
    return [...this.#checkpoint.values()].filter((k) => size <= k.maxSize).map((k) => k.verifier);
  }

  /** Every checkpoint verifier ever trusted, whatever its retirement (to tell "retired" from "unknown"). */
  allCheckpointVerifiers(): NoteVerifier[] {
    return [...this.#checkpoint.values()].map((k) => k.verifier);
  }

  /** The checkpoint key name+keyid, for messages. */
  static describe(v: NoteVerifier): string {
    return `${v.name}+${keyIdHex(v.keyId)}`;
  }

  /**
   * Applies entry `index`'s event, whose signature has already verified under eventKeys(). Returns why the event
   * cannot be applied (a malformed key event, a vkey that is not its key's), or null.
   */
  apply(event: LedgerEvent, index: number): string | null {
    let key;
    try {
      key = readKeyEvent(event);
    } catch (err) {
      return err instanceof Error ? err.message : String(err);
    }
    if (!key) return null;
    if (key.kind === KEY_ADDED) {
      this.purposes.set(key.kid, key.purpose);
      if (key.purpose === "event") {
        this.#event.set(key.kid, { ...key.jwk, kid: key.kid, alg: "EdDSA", use: "sig" });
        this.#version++;
      }
      if (key.purpose === "checkpoint") {
        const vkey = key.vkey as string;
        let expected: string;
        try {
          expected = formatVkey(vkey.slice(0, Math.max(0, vkey.indexOf("+"))), new Uint8Array(Buffer.from(key.jwk.x, "base64url")));
        } catch (err) {
          return `key.added ${key.kid}: vkey ${JSON.stringify(vkey)}: ${err instanceof Error ? err.message : String(err)}`;
        }
        if (expected !== vkey) return `key.added ${key.kid}: vkey ${JSON.stringify(vkey)} is not the signed-note vkey of its jwk`;
        this.#addCheckpointKey(vkey);
      }
      return null;
    }
    if (key.purpose === "event" && this.#event.delete(key.kid)) this.#version++;
    if (key.purpose === "checkpoint") {
      for (const k of this.#checkpoint.values()) if (k.kid === key.kid) k.maxSize = Math.min(k.maxSize, index + 1);
    }
    return null;
  }

  #addCheckpointKey(vkey: string): void {
    if (this.#checkpoint.has(vkey)) return;
    const verifier = parseVkey(vkey); // checks the form, the algorithm byte and the key id
    // vkey = name+keyid+base64(0x01 || key): the key is the last 32 bytes.
    const raw = Buffer.from(vkey.slice(vkey.indexOf("+", vkey.indexOf("+") + 1) + 1), "base64").subarray(1);
    const kid = jwkThumbprint({ crv: "Ed25519", kty: "OKP", x: raw.toString("base64url") });
    this.#checkpoint.set(vkey, { vkey, kid, verifier, maxSize: Number.MAX_SAFE_INTEGER });
  }
}
