// Break-glass meets the mediator here: open overrides go into the policy input (the decision's fold records each use).
import type { PolicyInputProvider } from "../../mediator/policy-input.ts";
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
