// The break-glass feature's public face: build the service, feed open overrides to the policy, record their use.
import type { ServerContext } from "../../context.ts";
import { breakglassPolicyInput, breakglassUseRecorder } from "./breakglass-policy-input.ts";
import { BreakglassService } from "./breakglass-service.ts";

export { breakglassPolicyInput, breakglassUseRecorder } from "./breakglass-policy-input.ts";
export { type BreakglassScope, BreakglassService, breakglassView, MAX_BREAKGLASS_SECONDS } from "./breakglass-service.ts";
export { breakglassMigrations } from "./tables.ts";

export function openBreakglass(ctx: Pick<ServerContext, "db" | "ledger" | "clock" | "policyInputs" | "decisionHooks">): BreakglassService {
  const service = new BreakglassService({ db: ctx.db, writer: ctx.ledger.writer, reader: ctx.ledger.reader, clock: ctx.clock });
  ctx.policyInputs.push(breakglassPolicyInput(service));
  ctx.decisionHooks.push(breakglassUseRecorder());
  return service;
}
