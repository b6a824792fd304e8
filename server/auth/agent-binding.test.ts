// Agent binding claims: issued, verified into the principal, refused when malformed, and enforced by requireActsAs.
import { exportJWK, generateKeyPair, SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { AGENTS_CLAIM, RUNSETS_CLAIM, requireActsAs } from "./agent-binding.ts";
import { issueToken, localTokenVerifier, TOKEN_AUDIENCE, TOKEN_ISSUER } from "./tokens.ts";

async function keys() {
  const { privateKey, publicKey } = await generateKeyPair("EdDSA", { crv: "Ed25519" });
  const jwk = { ...(await exportJWK(publicKey)), kid: "k1" };
  return { key: { kid: "k1", privateKey: privateKey as any }, verifier: localTokenVerifier(async () => [jwk]) };
}

describe("agent binding", () => {
  it("carries --agents and --runsets from issue to the verified principal; without them, only the subject", async () => {
    const { key, verifier } = await keys();
    const bound = await verifier.verify(
      await issueToken(key, "agent", "runner", 60, undefined, { agents: ["coder", "coder", "agent-2"], runsets: ["rs1"] }),
    );
    expect(bound).toMatchObject({ sub: "runner", agents: ["coder", "agent-2"], runsets: ["rs1"] });
    const plain = await verifier.verify(await issueToken(key, "agent", "coder", 60));
    expect(plain.agents).toBeUndefined();
    expect(() => requireActsAs(plain, { agent: "coder", runset: "any" })).not.toThrow();
    expect(() => requireActsAs(plain, { agent: "agent-2", runset: "any" })).toThrow(
      expect.objectContaining({ code: "agent_mismatch", field: "/agent" }),
    );
    expect(() => requireActsAs(bound, { agent: "runner", runset: "rs1" })).toThrow(expect.objectContaining({ code: "agent_mismatch" }));
    expect(() => requireActsAs(bound, { agent: "coder", runset: "rs2" })).toThrow(
      expect.objectContaining({ code: "runset_mismatch", field: "/runset" }),
    );
  });

  it("refuses to issue a binding on another role, or one holding a name no call can carry", async () => {
    const { key } = await keys();
    await expect(issueToken(key, "security", "sam", 60, undefined, { agents: ["coder"] })).rejects.toMatchObject({
      code: "invalid_field",
      field: "agents",
    });
    await expect(issueToken(key, "agent", "r", 60, undefined, { agents: ["bad name"] })).rejects.toMatchObject({
      code: "invalid_field",
      field: "agents",
    });
    await expect(issueToken(key, "agent", "r", 60, undefined, { runsets: [] })).rejects.toMatchObject({
      code: "invalid_field",
      field: "runsets",
    });
  });

  it.each([
    ["a string", { [AGENTS_CLAIM]: "coder" }],
    ["an empty list", { [AGENTS_CLAIM]: [] }],
    ["a number", { [RUNSETS_CLAIM]: [7] }],
    ["a name with a space", { [AGENTS_CLAIM]: ["co der"] }],
  ])("refuses a token whose binding claim is %s (401), never falling back to its subject", async (_name, claims) => {
    const { key, verifier } = await keys();
    const now = Math.floor(Date.now() / 1000);
    const token = await new SignJWT({ role: "agent", ...claims })
      .setProtectedHeader({ alg: "EdDSA", kid: key.kid })
      .setIssuer(TOKEN_ISSUER)
      .setAudience(TOKEN_AUDIENCE)
      .setSubject("coder")
      .setIssuedAt(now)
      .setExpirationTime(now + 60)
      .sign(key.privateKey);
    await expect(verifier.verify(token)).rejects.toMatchObject({ code: "unauthenticated" });
  });
});
