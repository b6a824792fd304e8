// Holds meet the mediator here: active holds go into the policy input, which denies release.* calls they cover.
import type { PolicyInputProvider } from "../../mediator/policy-input.ts";
import type { HoldService } from "./hold-service.ts";

/** Only release.* calls can be held (policies/rego/match.rego), so other calls skip the query. */
export function holdPolicyInput(service: HoldService): PolicyInputProvider {
  return {
    name: "holds",
    cacheKey: (call) => (call.capability.startsWith("release.") ? "release" : "other"),
    async provide(call) {
      if (!call.capability.startsWith("release.")) return {};
      return { holds: await service.activeForPolicy() };
    },
  };
}
