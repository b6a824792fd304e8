// The hold feature's public face: the service and the policy input that feeds active holds to the policy.
export { holdPolicyInput } from "./hold-policy-input.ts";
export { type HoldScope, HoldService, holdView } from "./hold-service.ts";
export { holdMigrations, type HoldTables } from "./tables.ts";
