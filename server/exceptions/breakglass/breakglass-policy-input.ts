// Break-glass meets the mediator here: open overrides go into the policy input; decisions citing one are recorded.
import type { DecisionHook, PolicyInputProvider } from "../../mediator/policy-input.ts";
import type { BreakglassService } from "./breakglass-service.ts";

export function breakglassPolicyInput(service: BreakglassService): PolicyInputProvider {
  return {
    name: "breakglass",
    cacheKey: () => "open",
    async provide(_call, now) {
      return { breakglass: await service.activeForPolicy(now) };
    },
  };
}

/** The policy names the overrides it relied on in obligations.breakglass; the mediator may also lift them to decision.breakglass. */
export function breakglassUseRecorder(): DecisionHook {
  return {
    name: "breakglass-uses",
    async onDecision(trx, { decisionId, decision, now }) {
      const cited = decision as { breakglass?: string[]; obligations?: { breakglass?: unknown } };
      const fromObligations = Array.isArray(cited.obligations?.breakglass) ? (cited.obligations.breakglass as string[]) : [];
      for (const id of new Set([...(cited.breakglass ?? []), ...fromObligations])) {
        const updated = await trx
          .updateTable("breakglass")
          .set((eb: any) => ({ use_count: eb("use_count", "+", 1) }))
          .where("id", "=", id)
          .executeTakeFirst();
        if (Number(updated.numUpdatedRows) === 0) continue;
        await trx.insertInto("breakglass_uses").values({ breakglass_id: id, decision_id: decisionId, used_at: now }).execute();
      }
    },
  };
}
