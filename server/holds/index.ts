// The hold feature's public face: build the service from the server context and feed active holds to the policy.
import type { ServerContext } from "../context.ts";
import { HoldService } from "./hold-service.ts";
import { holdPolicyInput } from "./hold-policy-input.ts";

export { HoldService, holdView, type HoldScope } from "./hold-service.ts";
export { holdMigrations } from "./tables.ts";
export { holdPolicyInput } from "./hold-policy-input.ts";

export function openHolds(ctx: Pick<ServerContext, "db" | "ledger" | "clock" | "policyInputs">): HoldService {
  const service = new HoldService({ db: ctx.db, writer: ctx.ledger.writer, reader: ctx.ledger.reader, clock: ctx.clock });
  ctx.policyInputs.push(holdPolicyInput(service));
  return service;
}
