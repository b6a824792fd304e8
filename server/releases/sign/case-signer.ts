// Signs the in-toto Statement as DSSE inside a Sigstore bundle v0.3 with our own event key (@sigstore/sign, no network witnesses).
import { sign } from "node:crypto";
import { bundleToJSON } from "@sigstore/bundle";
import { DSSEBundleBuilder, type Signer } from "@sigstore/sign";
import { canonicalBytes } from "../../../ledger/event/envelope.ts";
import type { SigningKey } from "../../../ledger/keys/key-files.ts";
import { sha256Digest } from "../verify/statement.ts";
import { INTOTO_PAYLOAD_TYPE, type SafetyCaseStatement } from "../verify/types.ts";

export interface SignedCase {
  bundle: Record<string, unknown>;
  /** sha256 of the DSSE payload (the statement's RFC 8785 bytes); the release.published event records it. */
  statementDigest: string;
  signerKid: string;
}

/** Ed25519 over the DSSE pre-authentication encoding; the key hint is the key's kid (its RFC 7638 thumbprint). */
function keySigner(key: SigningKey): Signer {
  const pem = key.publicKey.export({ type: "spki", format: "pem" }).toString();
  return {
    sign: async (data) => ({ signature: sign(null, data, key.privateKey), key: { $case: "publicKey", publicKey: pem, hint: key.kid } }),
  };
}

export async function signStatement(statement: SafetyCaseStatement, key: SigningKey): Promise<SignedCase> {
  const payload = Buffer.from(canonicalBytes(statement));
  const builder = new DSSEBundleBuilder({ signer: keySigner(key), witnesses: [] });
  const bundle = await builder.create({ data: payload, type: INTOTO_PAYLOAD_TYPE });
  return { bundle: bundleToJSON(bundle) as unknown as Record<string, unknown>, statementDigest: sha256Digest(payload), signerKid: key.kid };
}
