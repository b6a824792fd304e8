// Verifies the safety case's Sigstore bundle v0.3 (DSSE) with @sigstore/verify against a pinned public key, fully offline.
import { bundleFromJSON } from "@sigstore/bundle";
import { toSignedEntity, Verifier, type TrustMaterial } from "@sigstore/verify";
import type { EventKey } from "../verify/keys.ts";
import { INTOTO_PAYLOAD_TYPE } from "../formats/types.ts";

export const BUNDLE_V03_MEDIA_TYPE = "application/vnd.dev.sigstore.bundle.v0.3+json";

/** Trust material with no CAs, logs or timestamp authorities: only our key, looked up by the bundle's key hint (its kid). */
export function keyTrustMaterial(keys: Map<string, EventKey>): TrustMaterial {
  return {
    certificateAuthorities: [],
    timestampAuthorities: [],
    tlogs: [],
    ctlogs: [],
    publicKey: (hint: string) => {
      const k = keys.get(hint);
      if (!k) throw new Error(`bundle key hint ${JSON.stringify(hint)} is not a trusted key`);
      return { publicKey: k.key, validFor: () => true };
    },
  };
}

/**
 * Checks the bundle and returns the DSSE payload (the in-toto Statement bytes) and the key hint.
 * Thresholds are zero: with the defaults @sigstore/verify demands a transparency-log entry and a
 * timestamp, which a self-hosted key without network witnesses cannot have.
 */
export function verifySafetyCaseBundle(json: unknown, keys: Map<string, EventKey>): { payload: Buffer; hint: string } {
  if ((json as { mediaType?: unknown })?.mediaType !== BUNDLE_V03_MEDIA_TYPE)
    throw new Error(`bundle mediaType is not ${BUNDLE_V03_MEDIA_TYPE}`);
  const bundle = bundleFromJSON(json);
  if (bundle.content.$case !== "dsseEnvelope") throw new Error("bundle does not hold a DSSE envelope");
  if (bundle.verificationMaterial.content.$case !== "publicKey") throw new Error("bundle is not signed with a public key");
  const envelope = bundle.content.dsseEnvelope;
  if (envelope.payloadType !== INTOTO_PAYLOAD_TYPE) throw new Error(`DSSE payloadType is not ${INTOTO_PAYLOAD_TYPE}`);
  if (envelope.signatures.length !== 1) throw new Error("DSSE envelope must carry exactly one signature");
  const verifier = new Verifier(keyTrustMaterial(keys), { tlogThreshold: 0, ctlogThreshold: 0, timestampThreshold: 0 });
  verifier.verify(toSignedEntity(bundle));
  return { payload: Buffer.from(envelope.payload), hint: bundle.verificationMaterial.content.publicKey.hint };
}
