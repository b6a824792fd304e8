// The waiver feature's public face: build the service from the server context and plug it into the mediator.
import type { ServerContext } from "../../context.ts";
import { waiverPolicyInput, waiverUseCounter } from "./waiver-policy-input.ts";
import { policyWaiverRules } from "./waiver-rules.ts";
import { WaiverService } from "./waiver-service.ts";

export { waiverMigrations } from "./tables.ts";
export { waiverPolicyInput, waiverUseCounter } from "./waiver-policy-input.ts";
export { policyWaiverRules, staticWaiverRules, type WaiverRule, type WaiverRules } from "./waiver-rules.ts";
export { type WaiverRequest, WaiverService } from "./waiver-service.ts";

type WiringContext = Pick<ServerContext, "db" | "ledger" | "clock" | "policy" | "policyInputs" | "decisionHooks">;

/** Waiver limits come from whichever policy bundle is active at request time. */
export function openWaivers(ctx: WiringContext): WaiverService {
  const service = new WaiverService(
    { db: ctx.db, writer: ctx.ledger.writer, reader: ctx.ledger.reader, clock: ctx.clock },
    policyWaiverRules(ctx.policy.holder),
  );
  ctx.policyInputs.push(waiverPolicyInput(ctx.db, service));
  ctx.decisionHooks.push(waiverUseCounter());
  return service;
}
