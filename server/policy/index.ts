// Public surface of the policy engine: load/verify/evaluate OPA Wasm bundles, build them, and gate them in CI.

export { CUSTOM_BUILTINS, parseRfc3339Ns } from "./builtins.ts";
export { type BuildBundleOptions, type BuildBundleResult, buildBundle, regoSources, type SourcesManifest } from "./bundle-build.ts";
export {
  type BundleLoadOptions,
  type BundleManifest,
  bundleDigest,
  DECISION_ENTRYPOINT,
  type LoadedBundle,
  loadBundle,
  WAIVER_RULES_ENTRYPOINT,
} from "./bundle-load.ts";
export type { VerificationKey } from "./bundle-verify.ts";
export type {
  PolicyBreakglass,
  PolicyCall,
  PolicyDecision,
  PolicyGrant,
  PolicyHold,
  PolicyInput,
  PolicyWaiver,
  Reason,
  Verdict,
  WaiverRule,
} from "./decision-types.ts";
export {
  type BundleLocation,
  buildDefaultBundle,
  checkBundleFresh,
  DEFAULT_BUNDLE_FILE,
  DEFAULT_MUTATION_REPORT,
  DEFAULT_OPA_PATH,
  DEFAULT_REGO_DIR,
  DEFAULT_SOURCES_FILE,
  type FreshnessReport,
  loadDefaultBundle,
} from "./default-bundle.ts";
export { type MutationEvidence, mutationOf, readMutationEvidence } from "./mutation-evidence.ts";
export { PolicyEngine, type PolicyEngineOptions, policyError } from "./engine.ts";
export { type ActivateOptions, type ActivationInfo, type ActivePolicy, loadActivePolicy, PolicyHolder } from "./active-policy.ts";
export { DEFAULT_COVERAGE_THRESHOLD, type PolicyTestOptions, type PolicyTestReport, runPolicyTests } from "./policy-test.ts";
