// The cryptography the evidence verifier takes from its platform, so one verifier runs on node:crypto (the CLI) and on
// WebCrypto (the console's "Verify in this browser"): Ed25519 for the export signature and every event's JWS.
import type { EventKey } from "./keys.ts";

/** Checks every exported event's JWS; failures are named by position, never lost, never passed unchecked. */
export interface EventSignatureCheck {
  /** The trusted event keys; events added before this call would be checked against none (and fail). */
  useKeys(keys: Map<string, EventKey>): void;
  /** Queues one event's check: `canonical` is its standard base64 text as exported, `bytes` the same decoded. */
  add(position: number, jws: string, canonical: string, bytes: Uint8Array): void;
  /** Every failing position with its reason. */
  settle(): Promise<Map<number, string>>;
  close(): Promise<void>;
}

export interface VerifyPlatform {
  /** A checker sized for a file of `fileLength` characters (Node starts its worker threads for a large one). */
  eventSignatures(fileLength: number): EventSignatureCheck;
  /** Ed25519 (RFC 8032) of `message` by the public key whose JWK `x` is given: true when it verifies. Never rejects. */
  ed25519(x: string, message: Uint8Array, signature: Uint8Array): Promise<boolean>;
}
