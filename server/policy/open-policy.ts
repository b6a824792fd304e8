// Startup helper: the PolicyHolder for `--policy-bundle FILE` (loaded as is) or the committed default bundle.
import { readFile } from "node:fs/promises";
import { type BundleLocation, loadDefaultBundle } from "./default-bundle.ts";
import type { PolicyEngineOptions } from "./engine.ts";
import { PolicyHolder } from "./policy-holder.ts";

export interface OpenPolicyOptions extends PolicyEngineOptions {
  /** An explicit bundle (`--policy-bundle`): no freshness check against policies/rego. */
  bundleFile?: string;
  /** Overrides for the default bundle's locations (tests). */
  defaultLocation?: BundleLocation;
}

/**
 * Loads, verifies (when a key is configured) and smoke-tests the policy. Throws MaestroError "stale_bundle" when
 * the default bundle lags policies/rego in a checkout, "policy_bundle_invalid" when a bundle is unusable.
 */
export async function openPolicy(options: OpenPolicyOptions = {}): Promise<PolicyHolder> {
  const { bundleFile, defaultLocation, ...engineOptions } = options;
  const bytes = bundleFile ? await readFile(bundleFile) : await loadDefaultBundle(defaultLocation);
  return PolicyHolder.create(bytes, engineOptions);
}
