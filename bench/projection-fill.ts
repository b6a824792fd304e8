// Bench-only: a ledger whose events are what a server mostly appends (run-set registrations, then decisions and their
// outcomes, a tenth of them denied), with the projection rows those events fold to, so `ledger verify` has a replay to
// compare. Written FAST: entries through fastFill, rows in multi-row inserts.
//
// The rows come from the same folds (ProjectionReplay) the writer applies; that the writer and the replay agree is
// what tests/tamper checks, not this file. A row that differs from the replay makes the bench's verify fail loudly.
import type { Kysely } from "kysely";
import { canonicalJson } from "../ledger/event/canonical-json.ts";
import type { LedgerEvent } from "../ledger/event/envelope.ts";
import { ProjectionReplay } from "../ledger/projections/replay.ts";
import { PROJECTION_TABLES } from "../ledger/projections/table-specs.ts";
import type { LedgerTables } from "../ledger/store/schema.ts";
import { fastFill, type FillEvent, fillEventId, type FillKey } from "./ledger-fill.ts";

const RUNSETS = 4;
const CALLS_PER_SESSION = 25;
const AGENTS = 8;
const TIME = "2026-12-03T00:00:00.000Z";

/** A call's decision and its outcome take two indexes; a denied call's second one is a filler event no fold reads. */
function callAt(i: number): { call: number; second: boolean } {
  const j = i - RUNSETS;
  return { call: Math.floor(j / 2), second: j % 2 === 1 };
}

const decisionId = (call: number) => fillEventId(1_000_000_000 + call);
const deniedCall = (call: number) => call % 10 === 9;

/** The event at index i, as a server would have appended it (the members the folds read, and a few more). */
export function mediatorEvent(i: number): LedgerEvent {
  const id = fillEventId(i);
  if (i < RUNSETS) {
    const name = `rs-${i}`;
    const grants = Array.from({ length: AGENTS }, (_, a) => ({ agent: `agent-${a}`, capabilities: ["repo.read", "network.egress"] }));
    return {
      actor: { id: "security-lead", type: "user" },
      id,
      kind: "runset.registered",
      payload: { budget_cap_usd: 1000, grants, name },
      subject: { id: name, type: "runset" },
      time: TIME,
      v: 1,
    };
  }
  const { call, second } = callAt(i);
  const sessionNo = Math.floor(call / CALLS_PER_SESSION);
  const agent = `agent-${sessionNo % AGENTS}`;
  const actor = { id: agent, role: "agent", type: "agent" as const };
  const subject = { id: decisionId(call), type: "decision" };
  if (!second) {
    const denied = deniedCall(call);
    return {
      actor,
      id,
      kind: "decision",
      payload: {
        allow: !denied,
        breakglass: [],
        call: {
          agent,
          canonicalResource: `src/file-${call % 500}.ts`,
          capability: "repo.read",
          resource: `src/file-${call % 500}.ts`,
          runset: `rs-${sessionNo % RUNSETS}`,
          session: `session-${sessionNo}`,
          tool: "read_file",
        },
        decision: denied ? "deny" : "allow",
        policy: { digest: "sha256:4f1d2c9e8b7a6f5e4d3c2b1a0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e", revision: "bench" },
        reasons: denied ? ["path outside the run-set's grants"] : [],
        waivers: [],
      },
      subject,
      time: TIME,
      v: 1,
    };
  }
  if (deniedCall(call)) {
    return { actor: { id: "bench", type: "service" }, id, kind: "bench", payload: { i }, time: TIME, v: 1 };
  }
  const payload: Record<string, unknown> = { status: "ok" };
  if (call % 5 === 0) payload.costUsd = 0.01;
  if (call % 50 === 0) payload.taint = { source: `https://example.com/page-${call}` };
  return { actor, id, kind: "outcome", payload, subject, time: TIME, v: 1 };
}

function fillEvent(i: number): FillEvent {
  const event = mediatorEvent(i);
  return {
    json: canonicalJson(event),
    id: event.id,
    kind: event.kind,
    subject: event.subject ? `${event.subject.type}:${event.subject.id}` : null,
  };
}

/**
 * Appends `count` signed mediator events to an empty ledger and writes the projection rows they fold to. The store must
 * hold the server's tables (allMigrations).
 */
export async function fillWithProjections(db: Kysely<LedgerTables>, count: number, key: FillKey): Promise<void> {
  await fastFill(db, count, key, 20_000, fillEvent);
  const replay = new ProjectionReplay();
  for (let i = 0; i < count; i++) replay.add(mediatorEvent(i), i);
  if (replay.refused.length > 0) throw new Error(`bench events the folds refuse: ${JSON.stringify(replay.refused.slice(0, 3))}`);
  // A migration may seed a row the fold also produces (policy_data_version's first version): the fold's rows replace
  // them, emptied in reverse order so a referencing table (outcomes) goes before the one it references (mediations).
  for (const spec of [...PROJECTION_TABLES].reverse()) await (db as Kysely<any>).deleteFrom(spec.table).execute();
  // In PROJECTION_TABLES order: a table another references (mediations, for outcomes) comes first.
  for (const spec of PROJECTION_TABLES) {
    const rows = [...(replay.tables.get(spec.table)?.values() ?? [])].map((row) =>
      Object.fromEntries(Object.entries(row).map(([c, v]) => [c, spec.columns[c] === "time" && typeof v === "string" ? new Date(v) : v])),
    );
    for (let from = 0; from < rows.length; from += 1000) {
      await (db as Kysely<any>)
        .insertInto(spec.table)
        .values(rows.slice(from, from + 1000))
        .execute();
    }
  }
}
