// The waiver feature's public face: the service, its policy input and rules (wired in server/compose.ts).
export { waiverMigrations, type WaiverTables, type WaiversTable } from "./tables.ts";
export { waiverPolicyInput } from "./waiver-policy-input.ts";
export { policyWaiverRules, staticWaiverRules, type WaiverRule, type WaiverRules } from "./waiver-rules.ts";
export { type WaiverRequest, WaiverService } from "./waiver-service.ts";
