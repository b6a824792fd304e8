// The decision document is validated strictly: any malformed answer is a bad answer (fail closed), never a guess.
import { describe, expect, it } from "vitest";
import { parseDecision } from "./http-mediator-client.ts";

const good = {
  decision: "allow",
  reasons: [{ code: "granted", message: "ok" }],
  decisionId: "d",
  ledgerIndex: 3,
  policyDigest: "sha256:x",
};

describe("parseDecision", () => {
  it("accepts the contract shape", () => {
    expect(parseDecision({ ...good, allow: true, waivers: [] })).toEqual(good);
  });
  it.each([
    [{ ...good, decision: "ALLOW" }, /unknown decision/],
    [{ ...good, decisionId: "" }, /no decisionId/],
    [{ ...good, reasons: [{ code: 1 }] }, /malformed reasons/],
    [{ ...good, ledgerIndex: undefined }, /not durable/],
    [{ ...good, policyDigest: null }, /policyDigest/],
    [null, /unknown decision/],
  ])("rejects %j", (body, message) => {
    expect(() => parseDecision(body)).toThrow(
      expect.objectContaining({ code: "mediator_bad_response", message: expect.stringMatching(message) }),
    );
  });
});
