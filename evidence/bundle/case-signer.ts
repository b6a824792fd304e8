// Signs the in-toto Statement as DSSE inside a Sigstore bundle v0.3 with our own event key (@sigstore/sign, no network witnesses).
import { sign } from "node:crypto";
import { bundleToJSON } from "@sigstore/bundle";
import { DSSEBundleBuilder, type Signer } from "@sigstore/sign";
import { canonicalBytes } from "../../ledger/event/envelope.ts";
import type { SigningKey } from "../../ledger/keys/key-files.ts";
import { sha256Digest } from "../formats/statement.ts";
import { INTOTO_PAYLOAD_TYPE, type SafetyCaseStatement } from "../formats/types.ts";

export interface SignedCase {
  bundle: Record<string, unknown>;
  /** sha256 of the DSSE payload (the statement's RFC 8785 bytes); the release.published event records it. */
  statementDigest: string;
  signerKid: string;
}

/**
 * Ed25519 over the DSSE pre-authentication encoding. The kid (its RFC 7638 thumbprint) goes in the bundle's
 * verificationMaterial.publicKey.hint, where the Sigstore bundle spec puts the id of a public key.
 */
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
  // @sigstore/sign copies the hint into the DSSE signature's keyid too. That keyid is an unsigned, optional
  // hint (DSSE envelope.proto), and sigstore-go and cosign skip a signature whose non-empty keyid differs
  // from their own id for the key they were given, so a standard client found no valid signature. Blank
  // it: the hint above still names the key, and verifiers bind the key through the signature itself.
  if (bundle.content.$case === "dsseEnvelope") for (const sig of bundle.content.dsseEnvelope.signatures) sig.keyid = "";
  return { bundle: bundleToJSON(bundle) as unknown as Record<string, unknown>, statementDigest: sha256Digest(payload), signerKid: key.kid };
}
