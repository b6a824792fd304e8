// The per-call state every decision reads fresh, in one round trip: the session's taint, the run-set's grants and
// spend, and the policy-data version that tells cached inputs (waivers, holds, break-glass) whether they are current.
import { type Kysely, sql } from "kysely";
import type { Migration } from "kysely/migration";
import type { BatchUpdate } from "../../ledger/append/one-statement-batch.ts";
import type { LedgerEvent } from "../../ledger/event/envelope.ts";
import { prepared } from "../../ledger/store/prepared.ts";
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

/** Committed with any ledger batch holding a policy-data event: the version moves atomically with that event. */
export const policyDataVersionBump: BatchUpdate = {
  when: (events: LedgerEvent[]) => events.some((e) => POLICY_DATA_KINDS.test(e.kind)),
  statement: sql`update policy_data_version set version = version + 1 where id = 1`,
};

interface CallStateRow {
  version: number | string;
  tainted: boolean | null;
  taint_sources: string | null;
  spec: string | null;
  budget_cap_usd: number | null;
  spent_usd: number | null;
}

/**
 * Reads call state for many concurrent decisions in one query (read batching, the read side of group
 * commit): under load a socket write per query costs more CPU than the query itself. Each read is
 * still issued after its request arrived, so it is as fresh as a query of its own.
 */
export class CallStateReader {
  readonly #db: Kysely<any>;
  #waiting: Array<{ call: ToolCall; resolve: (s: CallState) => void; reject: (e: unknown) => void }> = [];
  #reading = false;

  constructor(db: Kysely<any>) {
    this.#db = db;
  }

  read(call: ToolCall): Promise<CallState> {
    return new Promise((resolve, reject) => {
      this.#waiting.push({ call, resolve, reject });
      if (!this.#reading) {
        // Start after this turn's I/O callbacks, so requests that arrived together share one query. Starting at once
        // made batches of one on the embedded store, whose queries run on this thread (469 against 2,470 mediations/s).
        this.#reading = true;
        setImmediate(() => void this.#drain());
      }
    });
  }

  async #drain(): Promise<void> {
    try {
      while (this.#waiting.length > 0) {
        const batch = this.#waiting.splice(0, 500);
        try {
          const states = await readCallStates(this.#db, batch.map((w) => w.call));
          batch.forEach((w, i) => w.resolve(states[i]));
        } catch (err) {
          for (const w of batch) w.reject(err);
        }
      }
    } finally {
      this.#reading = false;
    }
  }
}

async function readCallStates(db: Kysely<any>, calls: ToolCall[]): Promise<CallState[]> {
  const { rows } = await sql<CallStateRow & { i: number | string }>`${prepared}
    select q.i, v.version, s.tainted, s.taint_sources, r.spec, r.budget_cap_usd, r.spent_usd
    from unnest(${calls.map((c) => c.session)}::text[], ${calls.map((c) => c.runset)}::text[]) with ordinality as q(session, runset, i)
    cross join policy_data_version v
    left join sessions s on s.session = q.session
    left join runsets r on r.name = q.runset
    where v.id = 1`.execute(db);
  const byPosition = new Map(rows.map((row) => [Number(row.i) - 1, row]));
  return calls.map((call, i) => toCallState(call, byPosition.get(i)));
}

function toCallState(call: ToolCall, row: CallStateRow | undefined): CallState {
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
