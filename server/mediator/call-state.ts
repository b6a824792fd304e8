// The per-call state every decision reads: the session's taint and secrets read, the run-set's grants and spend, and the policy-data
// version that tells cached inputs (waivers, holds, break-glass) whether they are current. Read in one round trip
// for many decisions at once, and kept between decisions while nothing it depends on can have changed; a decision on
// kept state commits only if that still holds then (the ledger writer's generation, see CallStateReader.read).
import { canonicalPattern } from "../../common/canonical-resource.ts";
import { licenceAlternatives } from "../content/licence-facts.ts";
import { type Kysely, sql } from "kysely";
import type { Migration } from "kysely/migration";
import { prepared } from "../../ledger/store/prepared.ts";
import type { PolicyGrant } from "../policy/decision-types.ts";
import type { InputPart } from "./policy-input.ts";
import type { ToolCall } from "./types.ts";
import type { AppDb } from "../db/app-db.ts";

export interface CallState {
  /** Bumped in the same transaction as any event that changes cached policy data. */
  version: number;
  part: InputPart;
  /** The token subject that opened the session (session-owner.ts); null before its first decision. */
  sessionOwner: string | null;
  /**
   * Set when the state came from the cache: the writer generation it is current at. The decision's append carries
   * it (AppendOptions.readAt), and is refused as stale if anything it depends on changed before the commit.
   */
  readAt?: number;
}

/** What the cache needs from the ledger writer: the generation, which moves on any change a read could depend on. */
export interface ReadGeneration {
  readonly generation: number;
  otherWriterSeenWithin(ms: number): boolean;
}

/** While another process was seen appending this recently, every read goes to the store (the cache would not last). */
const OTHER_WRITER_QUIET_MS = 5_000;
/** Sessions and run-sets kept at most; the cache starts over past it. */
const MAX_CACHED = 10_000;

/** One row (id = 1): the count of policy-data events, the fold of the ledger that cached policy inputs check. */
export interface PolicyDataVersionTable {
  id: number;
  version: number;
}

export interface PolicyDataVersionTables {
  policy_data_version: PolicyDataVersionTable;
}

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
  // The version is now the fold of the ledger (ledger/projections/policy-folds.ts): one per policy-data event. Before,
  // it moved once per committed batch holding any, so a store from then is brought to the count its ledger gives.
  "3009_policy_data_version_counts_events": {
    async up(db: Kysely<any>) {
      await sql`update policy_data_version set version = (select count(*) from ledger_entries
        where kind ~ '^(waiver|hold|breakglass|runset|policy)[.]') where id = 1`.execute(db);
    },
  },
};

interface CallStateRow {
  version: number | string;
  tainted: boolean | null;
  taint_sources: string | null;
  secret_sources: string | null;
  owner: string | null;
  spec: string | null;
  budget_cap_usd: number | null;
  spent_usd: number | null;
}

/**
 * Reads call state for many concurrent decisions in one query (read batching, the read side of group
 * commit): under load a socket write per query costs more CPU than the query itself. Each read is
 * still issued after its request arrived, so it is as fresh as a query of its own.
 *
 * Rows are kept per (session, run-set) for one writer generation, saving a round trip per decision. Every change to
 * what they hold is a ledger append (a tainting or spending outcome, a run-set, a policy-data event), and any append
 * this process commits that is not a plain decision or outcome moves the generation, as does finding another
 * process's append at the head. A decision made on kept rows carries their generation to the writer, which refuses
 * it if the generation moved before its commit; the mediator then decides again on a fresh read. So a decision never
 * commits on state older than a fresh read would have been.
 */
export class CallStateReader {
  readonly #db: Kysely<AppDb>;
  readonly #writer?: ReadGeneration;
  #waiting: Array<{ call: ToolCall; resolve: (s: CallStateRow | undefined) => void; reject: (e: unknown) => void }> = [];
  #reading = false;
  #kept = new Map<string, Promise<CallStateRow | undefined>>();
  #keptAt = -1;
  #turn: Promise<void> | undefined;

  constructor(db: Kysely<AppDb>, writer?: ReadGeneration) {
    this.#db = db;
    this.#writer = writer;
  }

  /** The call's state: kept rows when they are current (with `readAt`), else a read of the store; `fresh` forces one. */
  async read(call: ToolCall, options: { fresh?: boolean } = {}): Promise<CallState> {
    const writer = this.#writer;
    if (options.fresh || !writer || writer.otherWriterSeenWithin(OTHER_WRITER_QUIET_MS)) return toCallState(call, await this.#query(call));
    const generation = writer.generation;
    if (generation !== this.#keptAt || this.#kept.size >= MAX_CACHED) {
      this.#kept.clear();
      this.#keptAt = generation;
    }
    const key = `${call.session}\u0000${call.runset}`;
    let row = this.#kept.get(key);
    if (!row) {
      // Kept even if the generation moves while it is in flight: every user carries readAt = generation, and is refused.
      row = this.#query(call);
      this.#kept.set(key, row);
      row.catch(() => this.#kept.get(key) === row && this.#kept.delete(key));
    }
    await this.#afterThisTurn();
    return { ...toCallState(call, await row), readAt: generation };
  }

  /**
   * Kept rows are handed out after this turn's I/O callbacks, all at once, as the batched read handed out rows.
   * Deciding at once, request by request while sockets are still being read, was slower under load: 2,400 against
   * 3,300 mediations/s with 256 HTTP clients, measured side by side.
   */
  #afterThisTurn(): Promise<void> {
    this.#turn ??= new Promise((resolve) =>
      setImmediate(() => {
        this.#turn = undefined;
        resolve();
      }),
    );
    return this.#turn;
  }

  #query(call: ToolCall): Promise<CallStateRow | undefined> {
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
          const rows = await readCallStateRows(
            this.#db,
            batch.map((w) => w.call),
          );
          batch.forEach((w, i) => w.resolve(rows[i]));
        } catch (err) {
          for (const w of batch) w.reject(err);
        }
      }
    } finally {
      this.#reading = false;
    }
  }
}

async function readCallStateRows(db: Kysely<AppDb>, calls: ToolCall[]): Promise<Array<CallStateRow | undefined>> {
  const { rows } = await sql<CallStateRow & { i: number | string }>`${prepared}
    select q.i, v.version, s.tainted, s.taint_sources, s.secret_sources, s.owner, r.spec, r.budget_cap_usd, r.spent_usd
    from unnest(${calls.map((c) => c.session)}::text[], ${calls.map((c) => c.runset)}::text[]) with ordinality as q(session, runset, i)
    cross join policy_data_version v
    left join sessions s on s.session = q.session
    left join runsets r on r.name = q.runset
    where v.id = 1`.execute(db);
  const byPosition = new Map(rows.map((row) => [Number(row.i) - 1, row]));
  return calls.map((_call, i) => byPosition.get(i));
}

function toCallState(call: ToolCall, row: CallStateRow | undefined): CallState {
  const spec = row?.spec ? (JSON.parse(row.spec) as { grants?: PolicyGrant[]; license?: string }) : {};
  const written = spec.grants ?? [];
  // Globs fold as the canonical resources they match do: a grant on acme/App@* covers acme/app@1.0.0.
  const grants = written.map((g) => ({ ...g, resource: canonicalPattern(g.capability, g.resource) }));
  const estimated = typeof call.args.estimated_usd === "number" ? call.args.estimated_usd : 0;
  return {
    version: Number(row?.version ?? 0),
    sessionOwner: row?.owner ?? null,
    part: {
      session: {
        tainted: row?.tainted ?? false,
        taint_sources: row?.taint_sources ? (JSON.parse(row.taint_sources) as string[]) : [],
        secret_sources: row?.secret_sources ? (JSON.parse(row.secret_sources) as string[]) : [],
      },
      budget: { spent_usd: row?.spent_usd ?? 0, cap_usd: row?.budget_cap_usd ?? null, estimated_usd: estimated },
      grants,
      ...(spec.license !== undefined && { runset: { license: spec.license, license_ids: licenceIds(spec.license) } }),
    },
  };
}

/** Every licence id the project's expression names: a dependency must suit each of them. */
function licenceIds(expression: string): string[] {
  return [...new Set(licenceAlternatives(expression).flat())];
}
