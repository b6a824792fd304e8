// Projections the mediator keeps beside the ledger (the ledger stays the source of truth): decisions, outcomes, sessions, runsets.
import { type Generated, type Kysely, sql } from "kysely";
import type { Migration } from "kysely/migration";
import { eventTime } from "../../ledger/store/event-time-sql.ts";

export interface MediationsTable {
  decision_id: string;
  ledger_index: number;
  runset: string;
  agent: string;
  session: string;
  tool: string;
  capability: string;
  resource: string;
  decision: string;
  policy_digest: string;
  waiver_ids: string;
  created_at: Date;
  /** The token subject that asked for the decision: the only one that may report its outcome. */
  decided_by: string | null;
}

export interface OutcomesTable {
  decision_id: string;
  ledger_index: number;
  status: string;
  cost_usd: number;
  created_at: Date;
  reported_by: string;
  /** Always "allow": with decision_id, the key that ties an outcome to an allowed decision (migration 3003). */
  decision: Generated<"allow">;
}

export interface SessionsTable {
  session: string;
  tainted: boolean;
  taint_sources: string;
  /** JSON string[]: secret findings in what the session's tools read ("rule in path line N"); non-empty holds a secret. */
  secret_sources: string;
  /** The token subject whose decision opened the session: no other token decides or reports in it. Set once. */
  owner: string | null;
}

export interface RunsetsTable {
  name: string;
  spec: string;
  budget_cap_usd: number | null;
  spent_usd: number;
  registered_by: string;
  ledger_index: number;
}

export interface MediatorTables {
  mediations: MediationsTable;
  outcomes: OutcomesTable;
  sessions: SessionsTable;
  runsets: RunsetsTable;
}

export const mediatorMigrations: Record<string, Migration> = {
  "3001_mediations": {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable("mediations")
        .addColumn("decision_id", "text", (c) => c.primaryKey())
        .addColumn("ledger_index", "bigint", (c) => c.notNull())
        .addColumn("runset", "text", (c) => c.notNull())
        .addColumn("agent", "text", (c) => c.notNull())
        .addColumn("session", "text", (c) => c.notNull())
        .addColumn("tool", "text", (c) => c.notNull())
        .addColumn("capability", "text", (c) => c.notNull())
        .addColumn("resource", "text", (c) => c.notNull())
        .addColumn("decision", "text", (c) => c.notNull())
        .addColumn("policy_digest", "text", (c) => c.notNull())
        .addColumn("waiver_ids", "text", (c) => c.notNull())
        .addColumn("created_at", "timestamptz", (c) => c.notNull())
        .execute();
      await db.schema.createIndex("mediations_session").on("mediations").column("session").execute();
      await db.schema.createIndex("mediations_runset").on("mediations").column("runset").execute();
      await db.schema
        .createTable("outcomes")
        .addColumn("decision_id", "text", (c) => c.primaryKey())
        .addColumn("ledger_index", "bigint", (c) => c.notNull())
        .addColumn("status", "text", (c) => c.notNull())
        .addColumn("cost_usd", sql`double precision`, (c) => c.notNull().defaultTo(0))
        .addColumn("created_at", "timestamptz", (c) => c.notNull())
        .execute();
      await db.schema
        .createTable("sessions")
        .addColumn("session", "text", (c) => c.primaryKey())
        .addColumn("tainted", "boolean", (c) => c.notNull())
        .addColumn("taint_sources", "text", (c) => c.notNull())
        .execute();
      await db.schema
        .createTable("runsets")
        .addColumn("name", "text", (c) => c.primaryKey())
        .addColumn("spec", "text", (c) => c.notNull())
        .addColumn("budget_cap_usd", sql`double precision`)
        .addColumn("spent_usd", sql`double precision`, (c) => c.notNull().defaultTo(0))
        .addColumn("registered_by", "text", (c) => c.notNull())
        .addColumn("ledger_index", "bigint", (c) => c.notNull())
        .execute();
    },
  },
  // An outcome exists only for an allowed decision, and the database says so: the writer can then append a plain
  // outcome without reading its decision first, and a violation (23503) refuses that one append alone (409).
  "3003_outcomes_reference_allowed_decisions": {
    async up(db: Kysely<any>) {
      await sql`alter table mediations add constraint mediations_decision_verdict unique (decision_id, decision)`.execute(db);
      await sql`alter table outcomes add column decision text not null default 'allow' check (decision = 'allow')`.execute(db);
      await sql`alter table outcomes add constraint outcomes_allowed_decision foreign key (decision_id, decision) references mediations (decision_id, decision)`.execute(
        db,
      );
    },
  },
  // An outcome is reported by the token that asked for its decision: any other agent could otherwise taint a
  // session, spend a run-set's budget or take the first outcome of a decision it only read the id of. The same
  // foreign key says so for plain outcomes. Rows from before take the actor of their own ledgered event.
  "3004_outcomes_by_the_deciding_token": {
    async up(db: Kysely<any>) {
      const actorOf = (alias: string) =>
        sql`(select convert_from(e.canonical, 'UTF8')::jsonb #>> '{actor,id}' from ledger_entries e where e.idx = ${sql.ref(`${alias}.ledger_index`)})`;
      await sql`alter table mediations add column decided_by text`.execute(db);
      await sql`update mediations m set decided_by = ${actorOf("m")}`.execute(db);
      await sql`alter table mediations add constraint mediations_decision_verdict_by unique (decision_id, decision, decided_by)`.execute(
        db,
      );
      await sql`alter table outcomes add column reported_by text`.execute(db);
      await sql`update outcomes o set reported_by = ${actorOf("o")}`.execute(db);
      await sql`alter table outcomes alter column reported_by set not null`.execute(db);
      // NOT VALID: an outcome another token reported before this migration stays on record, as the ledger has it.
      await sql`alter table outcomes add constraint outcomes_by_the_deciding_token foreign key (decision_id, decision, reported_by)
        references mediations (decision_id, decision, decided_by) not valid`.execute(db);
    },
  },
  // A session belongs to the token that opened it (its first decision claims it, see session-owner.ts): another token
  // could otherwise decide in it, and taint it or spend from it through its own outcomes. Sessions decided in before
  // this migration go to the token of their first decision, as the ledger ordered them.
  "3008_session_owners": {
    async up(db: Kysely<any>) {
      await sql`alter table sessions add column owner text`.execute(db);
      await sql`insert into sessions (session, tainted, taint_sources, owner)
        select distinct on (session) session, false, '[]', decided_by from mediations where decided_by is not null order by session, ledger_index
        on conflict (session) do update set owner = excluded.owner`.execute(db);
    },
  },
  // A session whose tools read a secret keeps a note of it (issue #24 item 4): the policy then asks a person before
  // anything from it leaves (network.egress, release.publish). Sessions from before read nothing that was scanned.
  "3009_session_secret_sources": {
    async up(db: Kysely<any>) {
      await sql`alter table sessions add column secret_sources text not null default '[]'`.execute(db);
    },
  },
  // Rows are now the folds of their events (ledger/projections), whose time is the event's signed `time`; before, the
  // mediator stamped them with its own clock a moment earlier, so `maestro ledger verify` would report every old row.
  "3010_projection_times_from_events": {
    async up(db: Kysely<any>) {
      for (const table of ["mediations", "outcomes"])
        await sql`update ${sql.table(table)} t set created_at = ${eventTime("e")} from ledger_entries e where e.idx = t.ledger_index`.execute(
          db,
        );
    },
  },
};
