// node:crypto's Ed25519 check (the hot loop) must agree with jose's compactVerify on the same JWS.
import { Buffer } from "node:buffer";
import { compactVerify, importJWK } from "jose";
import { describe, expect, it } from "vitest";
import { checkEventSignature, eventKeySet } from "./event-signature.ts";
import { buildTestLog, flipByte } from "./test-log.ts";
import { itemAt } from "../../common/present.ts";

/** jose's view: re-attach the detached payload (RFC 7515 Appendix F) and verify. */
async function joseAccepts(canonical: Uint8Array, jws: string, jwk: Parameters<typeof importJWK>[0]): Promise<boolean> {
  const [h, , s] = jws.split(".");
  try {
    await compactVerify(`${h}.${Buffer.from(canonical).toString("base64url")}.${s}`, await importJWK(jwk, "EdDSA"));
    return true;
  } catch {
    return false;
  }
}

describe("checkEventSignature", () => {
  it("agrees with jose compactVerify on valid and tampered signatures", async () => {
    const log = await buildTestLog(12);
    const keys = eventKeySet(log.eventKeys);
    for (const [i, e] of log.entries.entries()) {
      const cases: Array<[Uint8Array, string]> = [
        [e.canonical, e.signature],
        [flipByte(e.canonical, i + 3), e.signature],
        [e.canonical, e.signature.slice(0, -10) + (e.signature.at(-10) === "x" ? "y" : "x") + e.signature.slice(-9)],
      ];
      for (const [canonical, jws] of cases) {
        const ours = checkEventSignature(canonical, jws, keys) === null;
        expect(ours).toBe(await joseAccepts(canonical, jws, itemAt(log.eventKeys, 0, "event keys")));
      }
      expect(checkEventSignature(e.canonical, e.signature, keys)).toBeNull();
    }
  });

  it("names what is wrong with the JWS itself", async () => {
    const log = await buildTestLog(1);
    const keys = eventKeySet(log.eventKeys);
    const { canonical, signature } = itemAt(log.entries, 0, "the test log's entries");
    const [h, , s] = signature.split(".");
    expect(checkEventSignature(canonical, `${h}.${s}`, keys)).toMatch(/detached/);
    expect(checkEventSignature(canonical, `${h}.eA.${s}`, keys)).toMatch(/detached/);
    const hs256 = Buffer.from(JSON.stringify({ alg: "HS256", kid: log.kid })).toString("base64url");
    expect(checkEventSignature(canonical, `${hs256}..${s}`, keys)).toMatch(/alg/);
    expect(checkEventSignature(canonical, signature, eventKeySet([]))).toMatch(/not among the published/);
    expect(checkEventSignature(canonical, `${h}..${s}!`, keys)).toMatch(/base64url/);
  });
});
