// Signs canonical event bytes as a JWS with detached payload (RFC 7515 Appendix F), EdDSA / Ed25519.
import { CompactSign } from "jose";
import type { SigningKey } from "../keys/key-files.ts";

export interface EventSigner {
  kid: string;
  sign(canonical: Uint8Array): Promise<string>;
}

export function eventSigner(key: SigningKey): EventSigner {
  const header = { alg: "EdDSA", kid: key.kid, typ: "maestro-event+jcs" };
  return {
    kid: key.kid,
    async sign(canonical) {
      const jws = await new CompactSign(canonical).setProtectedHeader(header).sign(key.privateKey);
      const [protectedHeader, , signature] = jws.split(".");
      return `${protectedHeader}..${signature}`;
    },
  };
}
