// Attached columns: values the ledger names only by digest (a release's SBOM and signed bundle, a webhook's URL and
// secret, an activated policy bundle's bytes), kept out of the event because they are large or secret. The fold gives
// the digest its event names; the writer stores the value its caller attaches only if it has that digest; the verifier
// compares the digest of what is stored. A stored value is never reported, only its digest.
import { createHash } from "node:crypto";
import { canonicalJson } from "../event/canonical-json.ts";

/**
 * How a stored value is reduced to the digest its event names: `text-digest` SHA-256 of the UTF-8 text, `json-digest`
 * of the value's RFC 8785 text, `bytes-digest` of raw bytes, `dsse-digest` of a Sigstore bundle's DSSE payload (what
 * was signed; the signature over it is checked offline by `maestro evidence verify`).
 */
export type AttachedType = "text-digest" | "json-digest" | "bytes-digest" | "dsse-digest";

export const ATTACHED_TYPES: readonly string[] = ["text-digest", "json-digest", "bytes-digest", "dsse-digest"];

/** A value attached to an append: text, or raw bytes for a `bytes-digest` column. */
export type AttachedValue = string | Uint8Array;

const sha256 = (data: string | Uint8Array) => `sha256:${createHash("sha256").update(data).digest("hex")}`;

/** The digest `value` stands for, or a description of why it has none (it then matches no digest). */
export function attachedDigest(type: AttachedType, value: unknown): string {
  try {
    switch (type) {
      case "bytes-digest":
        return sha256(value instanceof Uint8Array ? value : Buffer.from(String(value)));
      case "text-digest":
        return sha256(String(value));
      case "json-digest":
        return sha256(canonicalJson(JSON.parse(String(value))));
      case "dsse-digest": {
        const payload = (JSON.parse(String(value)) as { dsseEnvelope?: { payload?: unknown } }).dsseEnvelope?.payload;
        if (typeof payload !== "string") return "(no DSSE payload)";
        return sha256(Buffer.from(payload, "base64"));
      }
    }
  } catch (err) {
    return `(unreadable: ${(err as Error).message})`;
  }
}
