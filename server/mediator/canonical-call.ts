// A tool call as the policy sees it: its resource (and a release's args.repository) in canonical form, or why not.
import { canonicalRepository, canonicalResource, ResourceProblem } from "../../common/canonical-resource.ts";
import type { PolicyDecision, ToolCall } from "./types.ts";

export interface CanonicalCall {
  /** The call as the caller sent it: what the ledger records as `resource` and `args`. */
  call: ToolCall;
  /** The call the policy evaluates; undefined when the resource is outside its capability's grammar. */
  policyCall?: ToolCall;
  /** The canonical resource, recorded beside the raw one; null when there is none. */
  canonicalResource: string | null;
  /** Why there is no canonical form, for the `invalid_resource` reason. */
  problem?: string;
}

export function canonicalCall(call: ToolCall): CanonicalCall {
  const result = canonicalResource(call.capability, call.resource);
  if (!result.ok) return { call, canonicalResource: null, problem: result.problem };
  let args = call.args;
  // The policy also holds a release call on args.repository (policies/rego/match.rego): it must be canonical too, or
  // `ACME/App` there would slip past a hold on acme/app.
  if (call.capability.startsWith("release.") && args.repository !== undefined) {
    const repository = args.repository;
    try {
      if (typeof repository !== "string") throw new ResourceProblem("it is not a string");
      args = { ...args, repository: canonicalRepository(repository) };
    } catch (err) {
      if (!(err instanceof ResourceProblem)) throw err;
      return { call, canonicalResource: null, problem: `${call.capability} args.repository ${JSON.stringify(repository)}: ${err.message}` };
    }
  }
  return { call, policyCall: { ...call, resource: result.canonical, args }, canonicalResource: result.canonical };
}

/**
 * The deny for a resource outside its grammar, decided here rather than by the policy: no grant, waiver or break-glass
 * can lift it, and nothing the policy would say about an ambiguous spelling can be trusted. Recorded like any decision.
 * As with a policy error, every top-level argument is hashed: no policy said which of them are secret.
 */
export function invalidResourceDecision(canonical: CanonicalCall): PolicyDecision {
  return {
    allow: false,
    decision: "deny",
    reasons: [{ code: "invalid_resource", message: canonical.problem ?? "the resource is outside its capability's grammar" }],
    waivers: [],
    obligations: { secret_fields: Object.keys(canonical.call.args).sort(), breakglass: [] },
  };
}
