// Run-set registration: the grants and budget cap the policy sees for a run-set's agents, ledgered as `runset.registered`.
import type { Kysely } from "kysely";
import { compileSchema, validated } from "../../common/ajv.ts";
import type { LedgerWriter } from "../../ledger/append/ledger-writer.ts";
import type { Principal } from "../auth/roles.ts";
import { MaestroError } from "../../common/errors.ts";
import { licenceAlternatives } from "../content/licence-facts.ts";
import registrationSchema from "../../schemas/mediate/runset-registration.schema.json" with { type: "json" };
import type { PolicyGrant } from "../policy/decision-types.ts";
import { type GrantWarning, grantWarnings } from "./grant-warnings.ts";
import type { AppDb } from "../db/app-db.ts";

const checkRegistration = compileSchema(registrationSchema);

export interface RunsetRegistration {
  name: string;
  budget_cap_usd?: number | null;
  license?: string;
  grants: Array<Omit<PolicyGrant, "runset" | "approval"> & { approval?: PolicyGrant["approval"] }>;
}

export async function registerRunset(
  db: Kysely<AppDb>,
  writer: LedgerWriter<AppDb>,
  body: unknown,
  principal: Principal,
): Promise<{ name: string; ledgerIndex: number; warnings: GrantWarning[] }> {
  const reg = validated<RunsetRegistration>(checkRegistration, body);
  if (reg.license !== undefined && licenceAlternatives(reg.license).length === 0) {
    throw new MaestroError("invalid_field", `license ${JSON.stringify(reg.license)} is not an SPDX expression (e.g. MIT, Apache-2.0)`, {
      field: "/license",
    });
  }
  const grants: PolicyGrant[] = reg.grants.map((g) => ({ ...g, runset: reg.name, approval: g.approval ?? "none" }));
  const cap = reg.budget_cap_usd ?? null;
  const entry = await writer.append(
    {
      kind: "runset.registered",
      actor: { type: "user", id: principal.sub, role: principal.role },
      subject: { type: "runset", id: reg.name },
      payload: { name: reg.name, grants, budget_cap_usd: cap, ...(reg.license !== undefined && { license: reg.license }) },
    },
    // Its fold (ledger/projections) writes the runsets row: re-registering replaces grants and cap, keeps the spend.
  );
  // Registered all the same (a grant that matches nothing grants nothing); the warnings say which grant to fix.
  return { name: reg.name, ledgerIndex: entry.index, warnings: grantWarnings(reg.grants) };
}
