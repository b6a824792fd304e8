// The signed safety-case bundle: the DSSE keyid is blank (standard Sigstore clients skip a signature whose keyid they
// do not know), the key hint names the key, and the offline verifier still binds the signature to the trusted key.
import { describe, expect, it } from "vitest";
import { generateKeyPairSync } from "node:crypto";
import type { JWK } from "jose";
import { keyFromPrivateJwk } from "../../ledger/keys/key-files.ts";
import { eventKeyFromJwk } from "../verify/keys.ts";
import { verifySafetyCaseBundle } from "./sigstore-bundle.ts";
import type { SafetyCaseStatement } from "../formats/types.ts";
import { signStatement } from "./case-signer.ts";
import { itemAt } from "../../common/present.ts";

const newKey = () => keyFromPrivateJwk("event", generateKeyPairSync("ed25519").privateKey.export({ format: "jwk" }) as JWK);
const statement = { _type: "https://in-toto.io/Statement/v1", subject: [], predicate: { n: 1 } } as unknown as SafetyCaseStatement;

type Bundle = {
  dsseEnvelope: { signatures: Array<{ keyid: string; sig: string }> };
  verificationMaterial: { publicKey: { hint: string } };
};

describe("signStatement", () => {
  it("leaves the DSSE keyid blank and names the key in the public-key hint", async () => {
    const key = await newKey();
    const { bundle, signerKid } = await signStatement(statement, key);
    const b = bundle as unknown as Bundle;
    expect(b.dsseEnvelope.signatures).toHaveLength(1);
    // proto3 JSON leaves out an empty string, so a blank keyid is no keyid member at all.
    expect(b.dsseEnvelope.signatures[0]).not.toHaveProperty("keyid");
    expect(b.verificationMaterial.publicKey.hint).toBe(key.kid);
    expect(signerKid).toBe(key.kid);
    const trusted = await eventKeyFromJwk(key.publicJwk);
    expect(verifySafetyCaseBundle(bundle, new Map([[key.kid, trusted]])).hint).toBe(key.kid);
  });

  it("still refuses a bundle signed by another key that claims the trusted key's hint", async () => {
    const [trustedKey, otherKey] = [await newKey(), await newKey()];
    const forged = (await signStatement(statement, otherKey)).bundle as unknown as Bundle;
    forged.verificationMaterial.publicKey.hint = trustedKey.kid;
    const trusted = new Map([[trustedKey.kid, await eventKeyFromJwk(trustedKey.publicJwk)]]);
    expect(() => verifySafetyCaseBundle(forged, trusted)).toThrow(/signature/i);
    // And a key nobody trusts is refused by its hint before any signature check.
    const unknown = (await signStatement(statement, otherKey)).bundle;
    expect(() => verifySafetyCaseBundle(unknown, trusted)).toThrow(/not a trusted key/);
  });

  it("accepts bundles published before the keyid was blanked (keyid = kid), as they were signed", async () => {
    const key = await newKey();
    const { bundle } = await signStatement(statement, key);
    itemAt((bundle as unknown as Bundle).dsseEnvelope.signatures, 0, "signatures").keyid = key.kid;
    expect(verifySafetyCaseBundle(bundle, new Map([[key.kid, await eventKeyFromJwk(key.publicJwk)]])).hint).toBe(key.kid);
  });
});
