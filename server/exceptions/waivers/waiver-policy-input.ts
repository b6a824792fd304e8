// Waivers meet the mediator here: active waivers go into the policy input (the decision's fold counts each use).
import type { Kysely } from "kysely";
import { canonicalPattern } from "../../../common/canonical-resource.ts";
import type { PolicyInputProvider } from "../../mediator/policy-input.ts";
import type { AppDb } from "../../db/app-db.ts";
import type { WaiversTable } from "./tables.ts";
import type { WaiverService } from "./waiver-service.ts";
import { policyWaiver } from "./waiver-view.ts";

/**
 * Active waivers for the call's capability. One past its expiry is left out and gets its `waiver.expired`
 * event here, at the first decision it could have served (expiry is evaluated at decision time, no job).
 * The policy re-checks expiry, scope and resource glob itself (policies/rego/match.rego).
 */
export function waiverPolicyInput(db: Kysely<AppDb>, service: WaiverService): PolicyInputProvider {
  return {
    name: "waivers",
    cacheKey: (call) => call.capability,
    async provide(call, now) {
      const rows = await db
        .selectFrom("waivers")
        .selectAll()
        .where("state", "=", "active")
        .where("capability", "=", call.capability)
        .execute();
      const live: WaiversTable[] = [];
      for (const row of rows) {
        if (new Date(row.expires_at!).getTime() > now.getTime()) live.push(row);
        else if (inScope(row, call)) await expireQuietly(service, row, now);
      }
      // Resource globs fold as the canonical resources they match do (common/canonical-resource.ts).
      return { waivers: live.map(policyWaiver).map((w) => ({ ...w, resource: canonicalPattern(w.capability, w.resource) })) };
    },
  };
}

function inScope(row: WaiversTable, call: { agent: string; runset: string }): boolean {
  const agents = row.agents === null ? null : (JSON.parse(row.agents) as string[]);
  const runsets = row.runsets === null ? null : (JSON.parse(row.runsets) as string[]);
  return (agents === null || agents.includes(call.agent)) && (runsets === null || runsets.includes(call.runset));
}

/** A concurrent decision may have recorded the expiry first (409); either way the waiver is out of the input. */
async function expireQuietly(service: WaiverService, row: WaiversTable, now: Date): Promise<void> {
  try {
    await service.expire(row, now, "decision");
  } catch (err) {
    console.error(JSON.stringify({ level: "warn", msg: "waiver expiry not recorded", waiver: row.id, err: String(err) }));
  }
}
