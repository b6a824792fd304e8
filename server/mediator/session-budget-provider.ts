// Policy input from the mediator's own projections: the runset's grants and budget, and the session's taint.
import type { Kysely } from "kysely";
import type { PolicyInputProvider } from "./policy-input.ts";
import type { MediatorTables } from "./tables.ts";
import type { PolicyGrant as Grant } from "../policy/decision-types.ts";

export function sessionAndRunsetProvider(db: Kysely<MediatorTables>): PolicyInputProvider {
  return {
    name: "session-and-runset",
    async provide(call) {
      const [session, runset] = await Promise.all([
        db.selectFrom("sessions").select(["tainted", "taint_sources"]).where("session", "=", call.session).executeTakeFirst(),
        db.selectFrom("runsets").select(["spec", "budget_cap_usd", "spent_usd"]).where("name", "=", call.runset).executeTakeFirst(),
      ]);
      const spec = runset ? (JSON.parse(runset.spec) as { grants?: Grant[] }) : {};
      const estimated = typeof call.args.estimated_usd === "number" ? call.args.estimated_usd : 0;
      return {
        session: { tainted: session?.tainted ?? false, taint_sources: session ? (JSON.parse(session.taint_sources) as string[]) : [] },
        budget: { spent_usd: runset?.spent_usd ?? 0, cap_usd: runset?.budget_cap_usd ?? null, estimated_usd: estimated },
        grants: spec.grants ?? [],
      };
    },
  };
}
