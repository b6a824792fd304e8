import { describe, expect, it } from "vitest";
import { canonicalBytes, type LedgerEvent } from "../event/envelope.ts";
import { ProjectionReplay } from "./replay.ts";
import { foldingEntries, type FoldingMode } from "./verify-projections.ts";
import { itemAt } from "../../common/present.ts";

const TIME = "2026-12-03T07:00:00.000Z";

// An actor id that spells a kind member: escaped in canonical bytes, so the peek at the kind must not take it.
const ACTOR = 'coder","kind":"test.entry';

function event(i: number, kind: string, payload: Record<string, unknown>, subject?: LedgerEvent["subject"]): LedgerEvent {
  return {
    v: 1,
    id: `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`,
    kind,
    time: TIME,
    actor: { type: "agent", id: ACTOR, role: "agent" },
    ...(subject ? { subject } : {}),
    payload,
  };
}

const decision = (i: number, id: string) =>
  event(
    i,
    "decision",
    {
      call: { agent: "coder", session: "s-1", runset: "rs", tool: "read_file", capability: "repo.read", resource: "a.ts" },
      decision: "allow",
      policy: { digest: "sha256:p" },
      waivers: [],
    },
    { type: "decision", id },
  );

type Entry = { index: number; canonical: Uint8Array };

async function* onePage(entries: Entry[]): AsyncIterable<Entry[]> {
  yield entries;
}

async function fold(entries: Entry[], mode: FoldingMode, from = 0) {
  const replay = new ProjectionReplay();
  const passed: number[] = [];
  for await (const page of foldingEntries(onePage(entries), replay, { mode, from })) passed.push(...[page].flat().map((e) => e.index));
  return { replay, passed };
}

describe("folding the entries the verifier streams", () => {
  const entries = [
    { index: 0, canonical: canonicalBytes(decision(0, "d-1")) },
    // Not a fold's kind, though its payload holds a "kind" member naming one.
    { index: 1, canonical: canonicalBytes(event(1, "test.entry", { kind: "decision", call: {} })) },
    { index: 2, canonical: canonicalBytes(event(2, "outcome", { status: "ok" }, { type: "decision", id: "d-1" })) },
  ];

  it.each(["checked", "unchecked"] as const)("folds every event a fold reads and passes every entry on (%s)", async (mode) => {
    const { replay, passed } = await fold(entries, mode);
    expect(passed).toEqual([0, 1, 2]);
    expect(replay.get("mediations", { decision_id: "d-1" })).toMatchObject({ ledger_index: 0, decision: "allow", decided_by: ACTOR });
    expect(replay.get("outcomes", { decision_id: "d-1" })).toMatchObject({ ledger_index: 2, status: "ok" });
    expect(replay.refused).toEqual([]);
  });

  it("folds only from the index given", async () => {
    const { replay } = await fold(entries, "unchecked", 1);
    expect(replay.get("mediations", { decision_id: "d-1" })).toBeNull();
    // The outcome's decision was before `from`: the fold refuses it, as a store without the decision's row would.
    expect(replay.refused.map((r) => r.index)).toEqual([2]);
  });

  it("unchecked, skips bytes that are not a canonical envelope (nothing else checks them); checked, leaves that to the log check", async () => {
    const loose = new TextEncoder().encode(
      new TextDecoder().decode(itemAt(entries, 0, "entries").canonical).replace('"kind":"decision"', '"kind": "decision"'),
    );
    const { replay: unchecked } = await fold([{ index: 0, canonical: loose }], "unchecked");
    expect(unchecked.get("mediations", { decision_id: "d-1" })).toBeNull();
    const { passed } = await fold([{ index: 0, canonical: loose }], "checked");
    expect(passed).toEqual([0]);
  });
});
