// The hold feature's public face: build the service from the server context and feed active holds to the policy.
import type { ServerContext } from "../../context.ts";
import { holdPolicyInput } from "./hold-policy-input.ts";
import { HoldService } from "./hold-service.ts";

export { holdPolicyInput } from "./hold-policy-input.ts";
export { type HoldScope, HoldService, holdView } from "./hold-service.ts";
export { holdMigrations, type HoldTables } from "./tables.ts";

export function openHolds(ctx: Pick<ServerContext, "db" | "ledger" | "clock" | "policyInputs">): HoldService {
  const service = new HoldService({ db: ctx.db, writer: ctx.ledger.writer, reader: ctx.ledger.reader, clock: ctx.clock });
  ctx.policyInputs.push(holdPolicyInput(service));
  return service;
}
