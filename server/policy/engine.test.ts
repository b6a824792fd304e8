// PolicyEngine over the committed default bundle: one decision per rule, plus the never-allow-on-error paths.
import { readFile } from "node:fs/promises";
import { beforeAll, describe, expect, it } from "vitest";
import type { PolicyInput, PolicyWaiver } from "./decision-types.ts";
import { DEFAULT_BUNDLE_FILE } from "./default-bundle.ts";
import { PolicyEngine } from "./engine.ts";
import { baseInput, HAVE_OPA, opaBundle, stubPolicy } from "./test-helpers.ts";
import { itemAt } from "../../common/present.ts";

let engine: PolicyEngine;
beforeAll(async () => {
  engine = await PolicyEngine.load(await readFile(DEFAULT_BUNDLE_FILE));
});

const withCall = (call: Partial<PolicyInput["call"]>, rest: Partial<PolicyInput> = {}): PolicyInput => {
  const input = baseInput();
  return { ...input, ...rest, call: { ...input.call, ...call } };
};
const codes = (input: PolicyInput) => engine.evaluateDecision(input).reasons.map((r) => r.code);
const waiver = (fields: Partial<PolicyWaiver> = {}): PolicyWaiver => ({
  id: "w-1",
  capability: "*",
  resource: "**",
  agents: null,
  runsets: null,
  expires_at: "2025-06-01T13:00:00Z",
  waives: ["no_grant"],
  state: "active",
  ...fields,
});
const publish = (rest: Partial<PolicyInput> = {}) =>
  withCall({ agent: "releaser", capability: "release.publish", resource: "acme/api@v1.2.0" }, rest);
const taintedSecretRead = (rest: Partial<PolicyInput> = {}) =>
  withCall(
    { capability: "secrets.read", resource: "ci/npm", args: { name: "ci/npm" } },
    { session: { tainted: true, taint_sources: ["https://evil.example/x"], secret_sources: [] }, ...rest },
  );

describe("PolicyEngine decisions", () => {
  it("reports the bundle identity", () => {
    expect(engine.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(engine.revision).toMatch(/^rego-sha256:[0-9a-f]{64}$/);
    expect(engine.verified).toBe(false);
  });

  it("allows a low-risk call under a grant", () => {
    const d = engine.evaluateDecision(baseInput());
    expect(d).toMatchObject({ allow: true, decision: "allow", waivers: [] });
    expect(d.reasons.map((r) => r.code)).toEqual(["granted"]);
  });

  it("denies without a grant (default deny)", () => {
    expect(engine.evaluateDecision(withCall({ resource: "docs/x.md" }))).toMatchObject({
      allow: false,
      decision: "deny",
      reasons: [{ code: "no_grant" }],
    });
  });

  it("requires approval for a medium-risk call whose grant says approval: required", () => {
    const d = engine.evaluateDecision(withCall({ capability: "network.egress", resource: "registry.npmjs.org" }));
    expect(d).toMatchObject({ allow: false, decision: "require_approval", reasons: [{ code: "approval_required" }] });
  });

  it("applies and cites a matching waiver", () => {
    const d = engine.evaluateDecision(withCall({ resource: "docs/x.md" }, { waivers: [waiver()] }));
    expect(d).toMatchObject({ allow: true, waivers: ["w-1"], reasons: [{ code: "waiver_applied" }] });
  });

  it("ignores an expired waiver, comparing at nanosecond precision", () => {
    const at = (expires_at: string) => withCall({ resource: "docs/x.md" }, { waivers: [waiver({ expires_at })] });
    expect(engine.evaluateDecision(at("2025-06-01T12:00:00Z")).decision).toBe("deny");
    expect(engine.evaluateDecision(at("2025-06-01T11:59:59.999999999Z")).decision).toBe("deny");
    expect(engine.evaluateDecision(at("2025-06-01T12:00:00.000000001Z")).decision).toBe("allow");
    expect(engine.evaluateDecision(at("2025-06-01T14:00:01+02:00")).decision).toBe("allow");
  });

  it("denies release.publish under an active hold and cites the hold", () => {
    const hold = { id: "hold-7", scope: { type: "release" as const, id: "acme/api@v1.2.0" }, reason: "audit", placed_by: "alice" };
    expect(engine.evaluateDecision(publish()).decision).toBe("allow");
    const d = engine.evaluateDecision(publish({ holds: [hold] }));
    expect(d.decision).toBe("deny");
    expect(d.reasons).toHaveLength(1);
    const reason = itemAt(d.reasons, 0, "reasons");
    expect(reason.code).toBe("hold_active");
    expect(reason.message).toMatch(/hold-7.*alice.*auditor/);
  });

  it("denies secrets.read in a tainted session, unless a waiver names the taint", () => {
    expect(codes(taintedSecretRead())).toEqual(["session_tainted"]);
    const d = engine.evaluateDecision(
      taintedSecretRead({ waivers: [waiver({ id: "w-taint", capability: "secrets.read", waives: ["session_tainted"] })] }),
    );
    expect(d).toMatchObject({ allow: true, waivers: ["w-taint"] });
  });

  it("denies when spent + estimated exceeds the cap", () => {
    expect(codes(withCall({}, { budget: { spent_usd: 9.75, cap_usd: 10, estimated_usd: 0.5 } }))).toEqual(["budget_exceeded"]);
    expect(codes(withCall({}, { budget: { spent_usd: 9.5, cap_usd: 10, estimated_usd: 0.5 } }))).toEqual(["granted"]);
  });

  it("denies an unknown capability even under a wildcard grant", () => {
    const grants = [{ agent: "*", runset: "*", capability: "*", resource: "*", approval: "none" as const }];
    expect(codes(withCall({ capability: "shell.exec", resource: "ls" }, { grants }))).toEqual(["unknown_capability"]);
  });

  it("applies break-glass and asks the mediator to record it", () => {
    const bg = { id: "bg-1", opened_by: "carol", expires_at: "2025-06-01T13:00:00Z", scope: { type: "all" as const } };
    const d = engine.evaluateDecision(withCall({ resource: "docs/x.md" }, { breakglass: [bg] }));
    expect(d).toMatchObject({ allow: true, reasons: [{ code: "breakglass_applied" }], obligations: { breakglass: ["bg-1"] } });
  });

  it("lists secret argument fields for hashing", () => {
    const d = engine.evaluateDecision(
      withCall({ capability: "secrets.read", resource: "ci/npm", args: { name: "ci/npm", NPM_TOKEN: "x" } }),
    );
    expect(d.obligations.secret_fields).toEqual(["NPM_TOKEN", "value"]);
  });

  it("denies malformed input as invalid_input", () => {
    expect(codes("garbage" as unknown as PolicyInput)).toEqual(["invalid_input"]);
    expect(codes({ ...baseInput(), grants: "all" } as unknown as PolicyInput)).toEqual(["invalid_input"]);
  });

  it("turns an input that cannot be serialised into policy_error, never allow", () => {
    const input = baseInput() as unknown as Record<string, unknown>;
    input.self = input;
    expect(engine.evaluateDecision(input as unknown as PolicyInput)).toMatchObject({
      allow: false,
      decision: "deny",
      reasons: [{ code: "policy_error" }],
    });
  });

  it("serves waiver rules per capability", () => {
    expect(engine.waiverRules("secrets.read")).toEqual({ waivable: true, max_duration_seconds: 3600, approvals_required: 2 });
    expect(engine.waiverRules("release.publish")).toEqual({ waivable: true, max_duration_seconds: 86400, approvals_required: 2 });
    expect(engine.waiverRules("shell.exec").waivable).toBe(false);
  });
});

describe.skipIf(!HAVE_OPA)("PolicyEngine failure modes (bundles built with opa)", () => {
  it("turns an evaluation error into policy_error", async () => {
    const e = await PolicyEngine.load(await opaBundle(stubPolicy('decision := "allow"\n\ndecision := "deny" if input.conflict\n')));
    expect(e.evaluateDecision({ conflict: true } as unknown as PolicyInput)).toMatchObject({
      allow: false,
      reasons: [{ code: "policy_error" }],
    });
  });

  it("turns a result that fails the decision schema into policy_error", async () => {
    const e = await PolicyEngine.load(await opaBundle(stubPolicy('allow := true\n\ndecision := "allow"\n')));
    const input = baseInput();
    input.call.args = { path: "a", note: "b" };
    const d = e.evaluateDecision(input);
    expect(d).toMatchObject({ allow: false, decision: "deny", reasons: [{ code: "policy_error" }] });
    expect(itemAt(d.reasons, 0, "reasons").message).toMatch(/malformed/);
    // Without a verdict on which args are secret, all of them are hashed.
    expect(d.obligations.secret_fields).toEqual(["note", "path"]);
  });

  it("refuses a bundle needing a builtin the host does not provide", async () => {
    const bytes = await opaBundle(stubPolicy('reasons := [{"code": "x", "message": sprintf("%v", [input])}]\n'));
    await expect(PolicyEngine.load(bytes)).rejects.toMatchObject({ code: "policy_bundle_invalid", message: /sprintf/ });
  });
});
