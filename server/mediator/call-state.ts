// The per-call state every decision reads fresh, in one round trip: the session's taint, the run-set's grants and
// spend, and the policy-data version that tells cached inputs (waivers, holds, break-glass) whether they are current.
import { type Kysely, sql } from "kysely";
import type { Migration } from "kysely/migration";
import type { Transaction } from "kysely";
import type { LedgerEvent } from "../../ledger/event/envelope.ts";
import type { PolicyGrant } from "../policy/decision-types.ts";
import type { InputPart } from "./policy-input.ts";
import type { ToolCall } from "./types.ts";

export interface CallState {
  /** Bumped in the same transaction as any event that changes cached policy data. */
  version: number;
  part: InputPart;
}

/** Event kinds whose commit changes what cached policy inputs would return. */
const POLICY_DATA_KINDS = /^(waiver|hold|breakglass|runset|policy)\./;

export const policyDataVersionMigrations: Record<string, Migration> = {
  "3002_policy_data_version": {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable("policy_data_version")
        .addColumn("id", "integer", (c) => c.primaryKey().check(sql`id = 1`))
        .addColumn("version", "bigint", (c) => c.notNull())
        .execute();
      await sql`insert into policy_data_version (id, version) values (1, 0)`.execute(db);
    },
  },
};

/** A ledger beforeCommit hook: any policy-data event in the batch bumps the version, atomically with it. */
export async function bumpPolicyDataVersion(trx: Transaction<any>, events: LedgerEvent[]): Promise<void> {
  if (!events.some((e) => POLICY_DATA_KINDS.test(e.kind))) return;
  await sql`update policy_data_version set version = version + 1 where id = 1`.execute(trx);
}

interface CallStateRow {
  version: number | string;
  tainted: boolean | null;
  taint_sources: string | null;
  spec: string | null;
  budget_cap_usd: number | null;
  spent_usd: number | null;
}

export async function readCallState(db: Kysely<any>, call: ToolCall): Promise<CallState> {
  const { rows } = await sql<CallStateRow>`
    select v.version, s.tainted, s.taint_sources, r.spec, r.budget_cap_usd, r.spent_usd
    from policy_data_version v
    left join sessions s on s.session = ${call.session}
    left join runsets r on r.name = ${call.runset}
    where v.id = 1`.execute(db);
  const row = rows[0];
  const grants = row?.spec ? ((JSON.parse(row.spec) as { grants?: PolicyGrant[] }).grants ?? []) : [];
  const estimated = typeof call.args.estimated_usd === "number" ? call.args.estimated_usd : 0;
  return {
    version: Number(row?.version ?? 0),
    part: {
      session: { tainted: row?.tainted ?? false, taint_sources: row?.taint_sources ? (JSON.parse(row.taint_sources) as string[]) : [] },
      budget: { spent_usd: row?.spent_usd ?? 0, cap_usd: row?.budget_cap_usd ?? null, estimated_usd: estimated },
      grants,
    },
  };
}
