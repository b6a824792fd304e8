import { describe, expect, it } from "vitest";
import type { LedgerEvent } from "../event/envelope.ts";
import { compareTable } from "./compare-rows.ts";
import { MAX_SECRET_SOURCES } from "./mediator-folds.ts";
import { ProjectionReplay } from "./replay.ts";
import { tableSpec } from "./table-specs.ts";

const TIME = "2026-12-03T07:00:00.000Z";

function decision(id: string, verdict: "allow" | "deny", actor = "coder", session = "s-1"): LedgerEvent {
  return {
    v: 1,
    id: `e-${id}`,
    kind: "decision",
    time: TIME,
    actor: { type: "agent", id: actor, role: "agent" },
    subject: { type: "decision", id },
    payload: {
      call: {
        agent: "coder",
        session,
        runset: "rs",
        tool: "fetch",
        capability: "network.egress",
        resource: "PyPI.org",
        canonicalResource: "pypi.org",
      },
      decision: verdict,
      policy: { digest: "sha256:p", revision: "r" },
      waivers: ["w-2", "w-1"],
    },
  };
}

function outcome(id: string, payload: Record<string, unknown>, actor = "coder"): LedgerEvent {
  return {
    v: 1,
    id: `o-${id}`,
    kind: "outcome",
    time: TIME,
    actor: { type: "agent", id: actor },
    subject: { type: "decision", id },
    payload,
  };
}

const registered: LedgerEvent = {
  v: 1,
  id: "r-1",
  kind: "runset.registered",
  time: TIME,
  actor: { type: "user", id: "sec-1" },
  subject: { type: "runset", id: "rs" },
  payload: { name: "rs", grants: [{ runset: "rs", agent: "coder" }], budget_cap_usd: 10 },
};

describe("projection replay", () => {
  it("folds a decision into its mediations row and claims the session for its token", () => {
    const r = new ProjectionReplay();
    r.add(decision("d-1", "allow"), 3);
    expect(r.get("mediations", { decision_id: "d-1" })).toEqual({
      decision_id: "d-1",
      ledger_index: 3,
      runset: "rs",
      agent: "coder",
      session: "s-1",
      tool: "fetch",
      capability: "network.egress",
      resource: "pypi.org",
      decision: "allow",
      policy_digest: "sha256:p",
      waiver_ids: '["w-2","w-1"]',
      created_at: TIME,
      decided_by: "coder",
    });
    expect(r.get("sessions", { session: "s-1" })).toEqual({
      session: "s-1",
      tainted: false,
      taint_sources: "[]",
      secret_sources: "[]",
      owner: "coder",
    });
  });

  it("marks a session that read a secret with each finding's rule, path and line, once, and keeps its taint", () => {
    const finding = (rule: string, line: number, path = "config/aws.ini") => ({ fingerprint: "hmac-sha256:aa", line, path, rule });
    const read = (findings: unknown[], unlisted = 0) => ({
      status: "ok",
      content: { bytes: 90, digest: "sha256:00", findings, unlisted },
    });
    const r = new ProjectionReplay();
    r.add(decision("d-1", "allow"), 0);
    r.add(outcome("d-1", read([])), 1);
    expect(r.get("sessions", { session: "s-1" })).toMatchObject({ secret_sources: "[]", tainted: false });
    r.add(decision("d-2", "allow"), 2);
    r.add(outcome("d-2", { ...read([finding("aws/AWS_SECRET_ACCESS_KEY", 3)]), taint: { source: "https://x.example" } }), 3);
    r.add(decision("d-3", "allow"), 4);
    r.add(outcome("d-3", read([finding("aws/AWS_SECRET_ACCESS_KEY", 3), finding("github/GITHUB_TOKEN", 9, "x".repeat(300))])), 5);
    const session = r.get("sessions", { session: "s-1" })!;
    expect(session).toMatchObject({ tainted: true, taint_sources: '["https://x.example"]', owner: "coder" });
    expect(JSON.parse(String(session.secret_sources))).toEqual([
      "aws/AWS_SECRET_ACCESS_KEY in config/aws.ini line 3",
      `github/GITHUB_TOKEN in ${"x".repeat(200)}… line 9`,
    ]);
    expect(r.refused).toEqual([]);
  });

  it("lists at most MAX_SECRET_SOURCES sources, and refuses a secret read of another token's decision", () => {
    const r = new ProjectionReplay();
    r.add(decision("d-1", "allow"), 0);
    const findings = Array.from({ length: MAX_SECRET_SOURCES + 5 }, (_, i) => ({
      fingerprint: "f",
      line: i + 1,
      path: "a.log",
      rule: "r/R",
    }));
    r.add(outcome("d-1", { status: "ok", content: { bytes: 1, digest: "sha256:00", findings, unlisted: 2 } }), 1);
    const sources = JSON.parse(String(r.get("sessions", { session: "s-1" })!.secret_sources)) as string[];
    expect(sources).toHaveLength(MAX_SECRET_SOURCES);
    expect(sources[0]).toBe("r/R in a.log line 1");
    r.add(decision("d-2", "allow"), 2);
    const finding = { fingerprint: "f", line: 1, path: "a.log", rule: "r/R" };
    r.add(outcome("d-2", { status: "ok", content: { bytes: 1, digest: "sha256:00", findings: [finding], unlisted: 0 } }, "intruder"), 3);
    expect(r.refused.map((x) => x.index)).toEqual([3]);
  });

  it("adds taint and spend, keeps the spend across a re-registration", () => {
    const r = new ProjectionReplay();
    r.add(registered, 0);
    r.add(decision("d-1", "allow"), 1);
    r.add(outcome("d-1", { status: "ok", taint: { source: "https://x.example" }, costUsd: 1.5 }), 2);
    r.add({ ...registered, id: "r-2", payload: { ...registered.payload, budget_cap_usd: 20 } }, 3);
    expect(r.get("sessions", { session: "s-1" })).toMatchObject({ tainted: true, taint_sources: '["https://x.example"]', owner: "coder" });
    expect(r.get("runsets", { name: "rs" })).toMatchObject({ spent_usd: 1.5, budget_cap_usd: 20, ledger_index: 3 });
    expect(r.get("outcomes", { decision_id: "d-1" })).toMatchObject({ cost_usd: 1.5, reported_by: "coder", ledger_index: 2 });
    expect(r.refused).toEqual([]);
  });

  it("refuses what the store refuses: an outcome of a denied or another token's decision, a second outcome, a taken session", () => {
    const r = new ProjectionReplay();
    r.add(decision("d-1", "deny"), 0);
    r.add(outcome("d-1", { status: "ok" }), 1);
    r.add(decision("d-2", "allow"), 2);
    r.add(outcome("d-2", { status: "ok" }, "intruder"), 3);
    r.add(outcome("d-2", { status: "ok" }), 4);
    r.add(outcome("d-2", { status: "ok" }), 5);
    r.add(decision("d-3", "allow", "intruder"), 6);
    expect(r.refused.map((x) => x.index)).toEqual([1, 3, 5, 6]);
    expect(r.get("outcomes", { decision_id: "d-1" })).toBeNull();
    expect(r.get("mediations", { decision_id: "d-3" })).toBeNull();
  });

  it("names table, key, column, stored and expected for a changed value, a missing and an extra row", () => {
    const r = new ProjectionReplay();
    r.add(decision("d-1", "deny"), 0);
    const stored = { ...r.get("mediations", { decision_id: "d-1" })!, decision: "allow", ledger_index: "0", created_at: new Date(TIME) };
    const spec = tableSpec("mediations");
    expect(compareTable(spec, [stored], r.tables.get("mediations")!)).toEqual([
      { table: "mediations", key: "decision_id=d-1", column: "decision", stored: "allow", expected: "deny" },
    ]);
    expect(
      compareTable(spec, [{ ...stored, decision_id: "d-9" }], r.tables.get("mediations")!).map((f) => [f.key, f.column, f.expected]),
    ).toEqual([
      ["decision_id=d-9", "decision_id", "(no row)"],
      ["decision_id=d-1", "decision_id", "decision_id=d-1"],
    ]);
  });

  it("places a hold, clears it from the version it was decided on, refuses a clear from a stale version", () => {
    const r = new ProjectionReplay();
    const hold = (kind: string, payload: Record<string, unknown>, id = `h-${kind}`): LedgerEvent => ({
      v: 1,
      id,
      kind,
      time: TIME,
      actor: { type: "user", id: "aud-1" },
      subject: { type: "hold", id: "h-1" },
      payload,
    });
    r.add(hold("hold.placed", { scope: { type: "repository", id: "acme/app" }, reason: "review" }), 4);
    r.add(hold("hold.cleared", { reason: "done", fromVersion: 1 }), 5);
    r.add(hold("hold.cleared", { reason: "again", fromVersion: 1 }, "h-again"), 6);
    expect(r.get("holds", { id: "h-1" })).toMatchObject({
      state: "cleared",
      version: 2,
      cleared_by: "aud-1",
      clear_reason: "done",
      ledger_refs: '[{"kind":"hold.placed","index":4},{"kind":"hold.cleared","index":5}]',
    });
    expect(r.refused.map((x) => x.index)).toEqual([6]);
  });
});
