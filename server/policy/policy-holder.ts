// PolicyHolder: the active PolicyEngine and its atomic replacement (load, verify, smoke-test, then swap).
// Mirrors OPA's bundle activation rule: a bundle that fails to load or verify is not activated and the
// previous one keeps serving (https://www.openpolicyagent.org/docs/management-bundles#signing).
import { isMaestroError, MaestroError } from "../../common/errors.ts";
import { blankPolicyInput, type PolicyDecision, type PolicyInput, type WaiverRule } from "./decision-types.ts";
import { PolicyEngine, type PolicyEngineOptions } from "./engine.ts";

export interface ActivationInfo {
  digest: string;
  revision: string;
  previousDigest: string;
  previousRevision: string;
}

export interface ActivateOptions {
  /**
   * Runs after the new bundle passed every check and before it serves traffic (e.g. append the ledger event).
   * If it throws, the activation is abandoned and the previous bundle stays active.
   */
  beforeSwap?: (info: ActivationInfo) => void | Promise<void>;
}

// A call nobody is granted: any sane policy must deny it. A bundle that allows it (or errors) is refused.
const SMOKE_INPUT: PolicyInput = blankPolicyInput(
  {
    runset: "smoke-test",
    agent: "smoke-test",
    session: "smoke-test",
    tool: "smoke-test",
    capability: "secrets.read",
    resource: "smoke/test",
    args: {},
  },
  "2000-01-01T00:00:00Z",
);

/** Loads a bundle and proves it evaluates: default-deny holds and waiver rules are well-formed. */
export async function loadAndSmokeTest(bytes: Uint8Array, options: PolicyEngineOptions): Promise<PolicyEngine> {
  let engine: PolicyEngine;
  try {
    engine = await PolicyEngine.load(bytes, options);
  } catch (err) {
    if (isMaestroError(err) && err.code === "policy_bundle_invalid") throw err;
    throw new MaestroError("policy_bundle_invalid", `policy bundle refused: ${(err as Error).message}`, { cause: err });
  }
  const smoke = engine.evaluateDecision(SMOKE_INPUT);
  if (smoke.decision !== "deny" || smoke.reasons.some((r) => r.code === "policy_error")) {
    throw new MaestroError(
      "policy_bundle_invalid",
      `policy bundle refused: smoke evaluation of an ungranted call gave ${smoke.decision} (${smoke.reasons.map((r) => r.code).join(", ")}), expected deny`,
    );
  }
  return engine;
}

export class PolicyHolder {
  #engine: PolicyEngine;
  readonly #options: PolicyEngineOptions;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(engine: PolicyEngine, options: PolicyEngineOptions = {}) {
    this.#engine = engine;
    this.#options = options;
  }

  static async create(bundleBytes: Uint8Array, options: PolicyEngineOptions = {}): Promise<PolicyHolder> {
    return new PolicyHolder(await loadAndSmokeTest(bundleBytes, options), options);
  }

  get current(): PolicyEngine {
    return this.#engine;
  }

  get digest(): string {
    return this.#engine.digest;
  }

  get revision(): string {
    return this.#engine.revision;
  }

  evaluateDecision(input: PolicyInput): PolicyDecision {
    return this.#engine.evaluateDecision(input);
  }

  waiverRules(capability: string): WaiverRule {
    return this.#engine.waiverRules(capability);
  }

  /**
   * Replaces the active bundle. Activations are serialised; on any failure (load, signature, smoke test,
   * beforeSwap) it throws MaestroError "policy_bundle_invalid" (or beforeSwap's error) and keeps the old one.
   */
  activate(bundleBytes: Uint8Array, options: ActivateOptions = {}): Promise<ActivationInfo> {
    const run = this.#queue.then(async () => {
      const next = await loadAndSmokeTest(bundleBytes, this.#options);
      const previous = this.#engine;
      const info: ActivationInfo = {
        digest: next.digest,
        revision: next.revision,
        previousDigest: previous.digest,
        previousRevision: previous.revision,
      };
      await options.beforeSwap?.(info);
      this.#engine = next;
      return info;
    });
    this.#queue = run.catch(() => undefined);
    return run;
  }
}
