import { describe, expect, it } from "vitest";
import { blankPolicyInput } from "../policy/decision-types.ts";
import { evaluateSafely } from "./mediator.ts";
import type { PolicyEvaluator, PolicyDecision } from "./types.ts";

const input = blankPolicyInput(
  { runset: "rs", agent: "a", session: "s", tool: "t", capability: "repo.read", resource: "r", args: { path: "x", note: "y" } },
  "2026-01-01T00:00:00Z",
);
const policy = (evaluateDecision: () => PolicyDecision): PolicyEvaluator => ({ evaluateDecision, digest: "sha256:x", revision: "r" });

describe("evaluateSafely", () => {
  it.each([
    [
      "throws",
      () => {
        throw new Error("boom");
      },
    ],
    ["returns no decision document", () => ({}) as PolicyDecision],
  ])("denies with policy_error when the policy %s, and lists every argument for hashing", (_name, evaluate) => {
    const decision = evaluateSafely(policy(evaluate), input);
    expect(decision).toMatchObject({ allow: false, decision: "deny", waivers: [] });
    expect(decision.reasons.map((r) => r.code)).toEqual(["policy_error"]);
    // No verdict on which arguments are secret: all of them are hashed, never ledgered in clear.
    expect(decision.obligations.secret_fields).toEqual(["note", "path"]);
  });

  it("passes a well-formed decision through", () => {
    const allow: PolicyDecision = { allow: true, decision: "allow", reasons: [], waivers: [], obligations: { secret_fields: [] } };
    expect(
      evaluateSafely(
        policy(() => allow),
        input,
      ),
    ).toBe(allow);
  });
});
