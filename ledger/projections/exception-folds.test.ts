import { describe, expect, it } from "vitest";
import type { LedgerEvent } from "../event/envelope.ts";
import { ProjectionReplay } from "./replay.ts";

const T0 = "2026-12-03T07:00:00.000Z";
const T1 = "2026-12-03T07:05:00.000Z";
const WAIVER = "0b7f5d2e-1111-4a6b-8c3d-000000000001";
const BREAKGLASS = "0b7f5d2e-2222-4a6b-8c3d-000000000002";

function event(
  kind: string,
  subject: { type: string; id: string },
  payload: Record<string, unknown>,
  actor = "sec-1",
  time = T0,
): LedgerEvent {
  return { v: 1, id: `${kind}-${actor}-${time}`, kind, time, actor: { type: "user", id: actor, role: "security" }, subject, payload };
}

const waiverEvent = (kind: string, payload: Record<string, unknown>, actor?: string, time?: string) =>
  event(kind, { type: "waiver", id: WAIVER }, payload, actor, time);

const requested = waiverEvent(
  "waiver.requested",
  {
    capability: "network.egress",
    resource: "pypi.org",
    agents: ["coder"],
    runsets: null,
    waives: ["no_grant"],
    fingerprints: null,
    justification: "mirror down",
    ticket: "SEC-1",
    durationSeconds: 3600,
    approvalsRequired: 2,
    maxDurationSeconds: 86400,
  },
  "dev-1",
);

function decision(id: string, cites: { waivers?: string[]; breakglass?: string[] }, time = T1): LedgerEvent {
  return {
    v: 1,
    id: `e-${id}`,
    kind: "decision",
    time,
    actor: { type: "agent", id: "coder", role: "agent" },
    subject: { type: "decision", id },
    payload: {
      allow: true,
      breakglass: cites.breakglass ?? [],
      call: {
        agent: "coder",
        args: {},
        canonicalResource: "pypi.org",
        capability: "network.egress",
        resource: "pypi.org",
        runset: "rs",
        session: "s-1",
        tool: "fetch",
      },
      decision: "allow",
      policy: { digest: "sha256:p", revision: "r" },
      reasons: [],
      waivers: cites.waivers ?? [],
    },
  };
}

describe("waiver and break-glass folds", () => {
  it("requests, approves twice, activates, counts uses once per decision, then revokes", () => {
    const r = new ProjectionReplay();
    r.add(requested, 0);
    expect(r.get("waivers", { id: WAIVER })).toMatchObject({
      state: "pending",
      version: 1,
      agents: '["coder"]',
      runsets: null,
      waives: '["no_grant"]',
      requested_by: "dev-1",
      requested_at: T0,
      approvals: "[]",
      use_count: 0,
      ledger_refs: '[{"kind":"waiver.requested","index":0}]',
    });
    r.add(waiverEvent("waiver.approved", { approvals: 1, approvalsRequired: 2, final: false, comment: null, fromVersion: 1 }, "sec-1"), 1);
    r.add(waiverEvent("waiver.approved", { approvals: 2, approvalsRequired: 2, final: true, comment: null, fromVersion: 2 }, "sec-2"), 2);
    r.add(
      event(
        "waiver.activated",
        { type: "waiver", id: WAIVER },
        { activatedAt: T0, expiresAt: T1, approvers: ["sec-1", "sec-2"], fromVersion: 3 },
      ),
      3,
    );
    expect(r.get("waivers", { id: WAIVER })).toMatchObject({
      state: "active",
      version: 4,
      approvals: JSON.stringify([
        { by: "sec-1", at: T0, ledgerIndex: 1 },
        { by: "sec-2", at: T0, ledgerIndex: 2 },
      ]),
      activated_at: T0,
      expires_at: T1,
    });
    r.add(decision("d-1", { waivers: [WAIVER, WAIVER, "unknown-id"] }), 4);
    expect(r.get("waivers", { id: WAIVER })).toMatchObject({ use_count: 1, last_used_at: T1 });
    expect(r.get("waiver_uses", { waiver_id: WAIVER, decision_id: "d-1" })).toEqual({ waiver_id: WAIVER, decision_id: "d-1", used_at: T1 });
    r.add(waiverEvent("waiver.revoked", { reason: "done", previousState: "active", fromVersion: 4 }, "sec-3", T1), 5);
    expect(r.get("waivers", { id: WAIVER })).toMatchObject({
      state: "revoked",
      version: 5,
      ended_by: "sec-3",
      ended_at: T1,
      end_reason: "done",
    });
    expect(r.refused).toEqual([]);
  });

  it("refuses a transition decided on a version the row has moved on from, and one for no row", () => {
    const r = new ProjectionReplay();
    r.add(requested, 0);
    r.add(waiverEvent("waiver.revoked", { reason: "a", previousState: "pending", fromVersion: 1 }), 1);
    r.add(waiverEvent("waiver.approved", { approvals: 1, approvalsRequired: 2, final: false, comment: null, fromVersion: 1 }), 2);
    r.add(
      event("waiver.expired", { type: "waiver", id: "no-such" }, { expiresAt: T1, observedAt: T1, trigger: "decision", fromVersion: 3 }),
      3,
    );
    expect(r.refused.map((x) => [x.index, x.reason])).toEqual([
      [2, `waiver ${WAIVER} changed while this request was decided (it is now revoked); re-read it and try again`],
      [3, "waiver no-such changed while this request was decided (it is now gone); re-read it and try again"],
    ]);
    expect(r.get("waivers", { id: WAIVER })).toMatchObject({ state: "revoked", version: 2 });
  });

  it("expires an active waiver at its expiry time", () => {
    const r = new ProjectionReplay();
    r.add(requested, 0);
    r.add(
      event("waiver.activated", { type: "waiver", id: WAIVER }, { activatedAt: T0, expiresAt: T1, approvers: ["sec-1"], fromVersion: 1 }),
      1,
    );
    r.add(
      event("waiver.expired", { type: "waiver", id: WAIVER }, { expiresAt: T1, observedAt: T1, trigger: "decision", fromVersion: 2 }),
      2,
    );
    expect(r.get("waivers", { id: WAIVER })).toMatchObject({ state: "expired", ended_at: T1, ended_by: null, version: 3 });
  });

  it("opens a break-glass with canonical JSON columns, counts its uses and closes it with a review", () => {
    const r = new ProjectionReplay();
    const subject = { type: "breakglass", id: BREAKGLASS };
    r.add(
      event(
        "breakglass.opened",
        subject,
        {
          counterClaim: "prod is down",
          compensatingControls: ["pairing", "recording"],
          reviewDeadline: T1,
          expiresAt: T1,
          scope: { type: "runset", id: "rs", capabilities: ["network.egress"] },
        },
        "admin-1",
      ),
      0,
    );
    expect(r.get("breakglass", { id: BREAKGLASS })).toMatchObject({
      state: "open",
      opened_by: "admin-1",
      scope: '{"capabilities":["network.egress"],"id":"rs","type":"runset"}',
      compensating_controls: '["pairing","recording"]',
      use_count: 0,
    });
    r.add(decision("d-1", { breakglass: [BREAKGLASS] }), 1);
    r.add(decision("d-2", { breakglass: [BREAKGLASS] }), 2);
    expect(r.get("breakglass_uses", { breakglass_id: BREAKGLASS, decision_id: "d-2" })).toEqual({
      breakglass_id: BREAKGLASS,
      decision_id: "d-2",
      used_at: T1,
    });
    r.add(
      event(
        "breakglass.reviewed",
        subject,
        { finding: "ok", verdict: "justified", reviewedLate: false, uses: 2, fromVersion: 1 },
        "sec-1",
        T1,
      ),
      3,
    );
    expect(r.get("breakglass", { id: BREAKGLASS })).toMatchObject({
      state: "reviewed",
      version: 2,
      use_count: 2,
      reviewed_by: "sec-1",
      reviewed_at: T1,
      finding: "ok",
      verdict: "justified",
      ledger_refs: '[{"kind":"breakglass.opened","index":0},{"kind":"breakglass.reviewed","index":3}]',
    });
    expect(r.refused).toEqual([]);
  });
});
