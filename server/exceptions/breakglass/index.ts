// The break-glass feature's public face: the service, the input feeding open overrides to the policy.
export { breakglassPolicyInput } from "./breakglass-policy-input.ts";
export { type BreakglassScope, BreakglassService, breakglassView, MAX_BREAKGLASS_SECONDS } from "./breakglass-service.ts";
export { breakglassMigrations, type BreakglassTables } from "./tables.ts";
