// The evidence verifier on node:crypto, as `maestro evidence verify` runs it: event signatures on worker threads for a
// large export, the export signature on libuv's pool while the main thread checks the other parts.
import { createPublicKey, verify as cryptoVerify } from "node:crypto";
import { availableParallelism } from "node:os";
import { EventSignatureChecks } from "./event-signatures.ts";
import { verifyEvidence, type VerifyEvidenceOptions, type VerifyResult } from "./verify-evidence.ts";
import type { VerifyPlatform } from "./verify-platform.ts";

/** From this size (about 600 events) event signatures are checked on worker threads. */
const LARGE_EXPORT = 1 << 20;

export const nodePlatform: VerifyPlatform = {
  // This thread checks signatures too, once its own work is done: one worker per other core.
  eventSignatures: (fileLength) => new EventSignatureChecks(fileLength >= LARGE_EXPORT ? availableParallelism() - 1 : 0),
  ed25519: (x, message, signature) =>
    new Promise((resolve) => {
      try {
        const key = createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x }, format: "jwk" });
        cryptoVerify(null, message, key, signature, (err, ok) => resolve(!err && ok));
      } catch {
        resolve(false); // a key Node refuses verifies nothing
      }
    }),
};

/** The CLI's entry: the whole offline verification of an export file against the pinned key's text. */
export function verifyEvidenceFile(fileText: string, keyText: string, options: VerifyEvidenceOptions = {}): Promise<VerifyResult> {
  return verifyEvidence(fileText, keyText, nodePlatform, options);
}
