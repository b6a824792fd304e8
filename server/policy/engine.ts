// PolicyEngine: one loaded OPA Wasm bundle, evaluated synchronously in-process on the mediator's hot path.
// OPA Wasm ABI: https://www.openpolicyagent.org/docs/wasm — the SDK's evaluate() uses the ABI 1.2 one-call
// opa_eval fast path, resetting the heap each call, so one instance is reused for every evaluation.
import { type LoadedPolicy, loadPolicy } from "@open-policy-agent/opa-wasm";
import { MaestroError } from "../../common/errors.ts";
import { CUSTOM_BUILTINS } from "./builtins.ts";
import { type BundleLoadOptions, DECISION_ENTRYPOINT, loadBundle, WAIVER_RULES_ENTRYPOINT } from "./bundle-load.ts";
import { type MutationEvidence, mutationOf } from "./mutation-evidence.ts";
import { decisionProblem, type PolicyDecision, type PolicyInput, validateWaiverRule, type WaiverRule } from "./decision-types.ts";
import { itemAt, present } from "../../common/present.ts";

export interface PolicyEngineOptions extends BundleLoadOptions {
  /** Initial Wasm memory in 64 KiB pages (the SDK grows it as needed). */
  memoryPages?: number;
}

const encoder = new TextEncoder();
const NOT_WAIVABLE: WaiverRule = Object.freeze({ waivable: false, max_duration_seconds: 0, approvals_required: 0 });

/**
 * The deny returned when the policy cannot decide. Without a policy verdict on which arguments are secret,
 * every top-level argument of the call is listed for hashing.
 */
export function policyError(message: string, input?: unknown): PolicyDecision {
  const args = (input as { call?: { args?: unknown } } | null | undefined)?.call?.args;
  const secretFields = args !== null && typeof args === "object" && !Array.isArray(args) ? Object.keys(args).sort() : [];
  return {
    allow: false,
    decision: "deny",
    reasons: [{ code: "policy_error", message }],
    waivers: [],
    obligations: { secret_fields: secretFields },
  };
}

function describe(err: unknown): string {
  if (err instanceof Error) return err.message;
  if (typeof err === "string") return err; // opa_abort throws the abort message as a string
  return typeof err === "object" && err !== null && "message" in err ? String(err.message) : String(err);
}

// The builtins the module expects the host to supply (its `builtins()` export), read through the SDK's memory.
function requiredBuiltins(policy: LoadedPolicy): string[] {
  const instance = policy.wasmInstance as unknown as { exports: { opa_json_dump(addr: number): number; builtins(): number } };
  const exports = instance.exports;
  const addr = exports.opa_json_dump(exports.builtins());
  const mem = new Uint8Array(policy.mem.buffer);
  const end = mem.indexOf(0, addr);
  return Object.keys(JSON.parse(new TextDecoder().decode(mem.subarray(addr, end))) as Record<string, number>);
}

export class PolicyEngine {
  readonly digest: string;
  readonly revision: string;
  /** True when the bundle's signature was verified against a configured key. */
  readonly verified: boolean;
  /** The mutation report's digest, score and threshold the bundle's manifest records (null: none recorded). */
  readonly mutation: MutationEvidence | null;
  readonly #policy: LoadedPolicy;
  readonly #decisionId: number;
  readonly #waiverRulesId: number;

  private constructor(policy: LoadedPolicy, digest: string, revision: string, verified: boolean, mutation: MutationEvidence | null) {
    this.#policy = policy;
    this.digest = digest;
    this.revision = revision;
    this.verified = verified;
    this.mutation = mutation;
    const entrypoints = policy.entrypoints as Record<string, number>;
    // load() refused a bundle without either entrypoint.
    this.#decisionId = present(entrypoints[DECISION_ENTRYPOINT], DECISION_ENTRYPOINT);
    this.#waiverRulesId = present(entrypoints[WAIVER_RULES_ENTRYPOINT], WAIVER_RULES_ENTRYPOINT);
  }

  /** Loads (and, with a verification key, verifies) a bundle; throws MaestroError if it is unusable. */
  static async load(bundleBytes: Uint8Array, options: PolicyEngineOptions = {}): Promise<PolicyEngine> {
    const bundle = await loadBundle(bundleBytes, options);
    let policy: LoadedPolicy;
    try {
      policy = await loadPolicy(bundle.wasm, { initial: options.memoryPages ?? 16 }, { ...CUSTOM_BUILTINS });
    } catch (cause) {
      throw new MaestroError("policy_bundle_invalid", `policy bundle invalid: wasm: ${describe(cause)}`, { cause });
    }
    const missing = requiredBuiltins(policy).filter((name) => !(name in CUSTOM_BUILTINS));
    if (missing.length > 0) {
      throw new MaestroError(
        "policy_bundle_invalid",
        `policy bundle invalid: it needs builtins the Wasm host does not provide: ${missing.join(", ")} ` +
          "(see docs/governance/writing-policies.md#builtins)",
      );
    }
    const entrypoints = policy.entrypoints as Record<string, number>;
    for (const name of [DECISION_ENTRYPOINT, WAIVER_RULES_ENTRYPOINT]) {
      if (typeof entrypoints[name] !== "number") {
        throw new MaestroError("policy_bundle_invalid", `policy bundle invalid: wasm lacks entrypoint ${name}`);
      }
    }
    try {
      policy.setData(bundle.data.buffer.slice(bundle.data.byteOffset, bundle.data.byteOffset + bundle.data.byteLength));
    } catch (cause) {
      throw new MaestroError("policy_bundle_invalid", "policy bundle invalid: data.json rejected", { cause });
    }
    return new PolicyEngine(policy, bundle.digest, bundle.revision, bundle.verified, mutationOf(bundle.manifest));
  }

  /**
   * Evaluates maestro/decision. Never throws and never allows on failure: an undefined result, an evaluation
   * error or a document that fails the decision schema becomes a deny with reason `policy_error`.
   */
  evaluateDecision(input: PolicyInput): PolicyDecision {
    let result: unknown;
    try {
      // Handing the SDK JSON bytes skips its per-call TextEncoder; it copies them into Wasm memory as is.
      const json = encoder.encode(JSON.stringify(input));
      const bytes = json.byteLength === json.buffer.byteLength ? json.buffer : json.buffer.slice(0, json.byteLength);
      const resultSet = this.#policy.evaluate(bytes, this.#decisionId) as { result: unknown }[] | null;
      if (!Array.isArray(resultSet) || resultSet.length === 0) return policyError("policy result is undefined", input);
      result = itemAt(resultSet, 0, "policy result set").result;
    } catch (err) {
      return policyError(`policy evaluation failed: ${describe(err)}`, input);
    }
    const problem = decisionProblem(result);
    return problem === null ? (result as PolicyDecision) : policyError(`policy result is malformed: ${problem}`, input);
  }

  /** maestro/waiver_rules for one capability; unknown capabilities (or a failing policy) are not waivable. */
  waiverRules(capability: string): WaiverRule {
    try {
      const resultSet = this.#policy.evaluate({ capability }, this.#waiverRulesId) as { result: { rule?: unknown } }[];
      const rule = resultSet?.[0]?.result?.rule;
      return validateWaiverRule(rule) ? rule : NOT_WAIVABLE;
    } catch {
      return NOT_WAIVABLE;
    }
  }
}
