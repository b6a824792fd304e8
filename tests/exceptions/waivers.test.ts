// Waivers end to end on both stores: request limits from the policy, separation of duties, activation, expiry at first use, use counts.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { STORE_KINDS } from "../support/test-stores.ts";
import { type Fixture, openFixture, toolCall, waiverRequest } from "./support.ts";
import { itemAt } from "../../common/present.ts";

describe.each(STORE_KINDS)("waivers (%s store)", (kind) => {
  let f: Fixture;
  beforeAll(async () => {
    f = await openFixture(kind);
  });
  afterAll(async () => f?.close());

  async function request(overrides: Record<string, unknown> = {}, sub = "eng-1") {
    const res = await f.call("POST", "/v1/waivers", "engineer", waiverRequest(overrides), sub);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body;
  }

  async function kindsFor(id: string): Promise<string[]> {
    return (await f.ctx.ledger.reader.entriesFor(null, `waiver:${id}`)).map((e) => e.event.kind);
  }

  it("requests, approves and activates; a decision cites it and the use is counted", async () => {
    const denied = await f.call("POST", "/v1/mediate", "agent", toolCall({ session: "s-use" }));
    expect(denied.body.decision).toBe("deny");
    expect(denied.body.reasons.map((r: any) => r.code)).toContain("no_grant");

    const waiver = await request();
    expect(waiver).toMatchObject({ state: "pending", approvalsRequired: 1, requestedBy: "eng-1", uses: { count: 0 } });
    const approved = await f.call("POST", `/v1/waivers/${waiver.id}/approve`, "security", { comment: "ok for the incident" }, "sec-1");
    expect(approved.status).toBe(200);
    expect(approved.body.state).toBe("active");
    expect(approved.body.activatedAt).toBe(f.clock.now().toISOString());
    expect(approved.body.expiresAt).toBe(new Date(f.clock.now().getTime() + 3600_000).toISOString());
    expect(await kindsFor(waiver.id)).toEqual(["waiver.requested", "waiver.approved", "waiver.activated"]);

    const allowed = await f.call("POST", "/v1/mediate", "agent", toolCall({ session: "s-use" }));
    expect(allowed.body.decision).toBe("allow");
    expect(allowed.body.waivers).toEqual([waiver.id]);
    const entry = await f.ctx.ledger.reader.entry(allowed.body.ledgerIndex);
    expect(entry.event.payload.waivers).toEqual([waiver.id]);

    const one = await f.call("GET", `/v1/waivers/${waiver.id}`, "auditor");
    expect(one.body.uses.count).toBe(1);
    expect(one.body.uses.decisions.map((d: any) => d.decisionId)).toEqual([allowed.body.decisionId]);
    const list = await f.call("GET", "/v1/waivers?state=active", "auditor");
    expect(list.body.waivers.find((w: any) => w.id === waiver.id).uses.count).toBe(1);
    const refs = list.body.waivers.find((w: any) => w.id === waiver.id).ledger;
    expect(refs.map((r: any) => r.kind)).toEqual(["waiver.requested", "waiver.approved", "waiver.activated"]);
  });

  it("expires at its deadline without a job: the next decision is denied and records waiver.expired once", async () => {
    const waiver = await request({ agents: ["expiring"], durationSeconds: 600 });
    await f.call("POST", `/v1/waivers/${waiver.id}/approve`, "security", undefined, "sec-1");
    const call = toolCall({ agent: "expiring", session: "s-exp" });
    expect((await f.call("POST", "/v1/mediate", "agent", call)).body.decision).toBe("allow");
    f.clock.advance(600_000);
    expect((await f.call("GET", `/v1/waivers/${waiver.id}`, "auditor")).body.state).toBe("expired");
    const denied = await f.call("POST", "/v1/mediate", "agent", call);
    expect(denied.body.decision).toBe("deny");
    expect(denied.body.waivers).toEqual([]);
    await f.call("POST", "/v1/mediate", "agent", call);
    expect(await kindsFor(waiver.id)).toEqual(["waiver.requested", "waiver.approved", "waiver.activated", "waiver.expired"]);
    const expiredEntry = itemAt(await f.ctx.ledger.reader.entriesFor("waiver.expired", `waiver:${waiver.id}`), 0, "waiver.expired entries");
    expect(expiredEntry.index).toBeLessThan(denied.body.ledgerIndex);
    // Approving or revoking an expired waiver is a conflict, and writes nothing.
    const size = await f.treeSize();
    expect((await f.call("POST", `/v1/waivers/${waiver.id}/approve`, "security", {}, "sec-2")).status).toBe(409);
    expect((await f.call("POST", `/v1/waivers/${waiver.id}/revoke`, "admin", { reason: "cleanup" })).status).toBe(409);
    expect(await f.treeSize()).toBe(size);
  });

  it("takes the maximum duration and waivability from the policy", async () => {
    const tooLong = await f.call(
      "POST",
      "/v1/waivers",
      "engineer",
      waiverRequest({ capability: "secrets.read", resource: "prod/*", durationSeconds: 7200 }),
    );
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.error.field).toBe("/durationSeconds");
    expect(tooLong.body.error.message).toContain("maximum of 3600 seconds");
    const unknown = await f.call("POST", "/v1/waivers", "engineer", waiverRequest({ capability: "repo.delete" }));
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.field).toBe("/capability");
  });

  it("never lets the requester approve (403 self_approval) and needs two distinct approvers for high risk", async () => {
    const waiver = await request({ capability: "secrets.read", resource: "prod/db", durationSeconds: 1800 }, "eng-2");
    expect(waiver.approvalsRequired).toBe(2);
    const self = await f.call("POST", `/v1/waivers/${waiver.id}/approve`, "security", {}, "eng-2");
    expect(self.status).toBe(403);
    expect(self.body.error.code).toBe("self_approval");
    const first = await f.call("POST", `/v1/waivers/${waiver.id}/approve`, "security", {}, "sec-1");
    expect(first.body).toMatchObject({ state: "pending", approvals: [{ by: "sec-1" }] });
    const again = await f.call("POST", `/v1/waivers/${waiver.id}/approve`, "security", {}, "sec-1");
    expect(again.status).toBe(409);
    const second = await f.call("POST", `/v1/waivers/${waiver.id}/approve`, "security", {}, "sec-2");
    expect(second.body.state).toBe("active");
    expect(second.body.approvals.map((a: any) => a.by)).toEqual(["sec-1", "sec-2"]);
    const active = await f.call("POST", `/v1/waivers/${waiver.id}/approve`, "security", {}, "sec-3");
    expect(active.status).toBe(409);
    expect(active.body.error.message).toContain("active");
  });

  it("takes subjects spelled in another letter case (or padded) for the same person: no self-approval, no double count", async () => {
    const waiver = await request({ capability: "secrets.read", resource: "prod/db", durationSeconds: 1800 }, "erin@example.com");
    const self = await f.call("POST", `/v1/waivers/${waiver.id}/approve`, "security", {}, "Erin@Example.com");
    expect(self.status).toBe(403);
    expect(self.body.error.code).toBe("self_approval");
    expect((await f.call("POST", `/v1/waivers/${waiver.id}/approve`, "security", {}, "sam@example.com")).body.state).toBe("pending");
    const twice = await f.call("POST", `/v1/waivers/${waiver.id}/approve`, "security", {}, "SAM@example.com");
    expect(twice.status).toBe(409);
    expect((await f.call("GET", `/v1/waivers/${waiver.id}`, "auditor")).body.state).toBe("pending");
  });

  it("compares subjects as people (issue 14): fullwidth, ligature and look-alike spellings are one approver", async () => {
    const waiver = await request({ capability: "secrets.read", resource: "prod/people", durationSeconds: 1800 }, "erin@example.com");
    const self = await f.call("POST", `/v1/waivers/${waiver.id}/approve`, "security", {}, "ｅｒｉｎ@example.com");
    expect(self.status).toBe(403);
    expect(self.body.error.code).toBe("self_approval");
    expect((await f.call("POST", `/v1/waivers/${waiver.id}/approve`, "security", {}, "sam")).body.state).toBe("pending");
    for (const same of ["ｓａｍ", "SAM", "ｓam"]) {
      const twice = await f.call("POST", `/v1/waivers/${waiver.id}/approve`, "security", {}, same);
      expect(twice.status, same).toBe(409);
    }
    const other = await request({ capability: "secrets.read", resource: "prod/people2", durationSeconds: 1800 }, "eng-9");
    expect((await f.call("POST", `/v1/waivers/${other.id}/approve`, "security", {}, "ﬁona")).body.state).toBe("pending");
    expect((await f.call("POST", `/v1/waivers/${other.id}/approve`, "security", {}, "fiona")).status).toBe(409);
    expect((await f.call("GET", `/v1/waivers/${other.id}`, "auditor")).body.state).toBe("pending");
  });

  it("revokes with a reason (security or admin); a revoked waiver cannot be approved or used", async () => {
    const waiver = await request({ agents: ["revoked-agent"] });
    await f.call("POST", `/v1/waivers/${waiver.id}/approve`, "security", {}, "sec-1");
    const blank = await f.callInvalid("blank reason", "POST", `/v1/waivers/${waiver.id}/revoke`, "admin", { reason: " \t  " }, "adm-1");
    expect(blank.status).toBe(400);
    expect(blank.body.error).toMatchObject({ field: "/reason", message: "reason must not be blank" });
    const revoked = await f.call("POST", `/v1/waivers/${waiver.id}/revoke`, "admin", { reason: "incident closed" }, "adm-1");
    expect(revoked.body).toMatchObject({ state: "revoked", revokedBy: "adm-1", revokeReason: "incident closed" });
    expect((await f.call("POST", "/v1/mediate", "agent", toolCall({ agent: "revoked-agent", session: "s-rev" }))).body.decision).toBe(
      "deny",
    );
    const size = await f.treeSize();
    expect((await f.call("POST", `/v1/waivers/${waiver.id}/approve`, "security", {}, "sec-2")).status).toBe(409);
    expect((await f.call("POST", `/v1/waivers/${waiver.id}/revoke`, "security", { reason: "again" })).status).toBe(409);
    expect(await f.treeSize()).toBe(size);
    expect(await kindsFor(waiver.id)).toEqual(["waiver.requested", "waiver.approved", "waiver.activated", "waiver.revoked"]);
  });

  it.each([
    ["missing capability", { capability: undefined }, "/capability"],
    ["wrong type", { durationSeconds: "1h" }, "/durationSeconds"],
    ["unknown scope (neither agents nor runsets)", { agents: undefined }, "/agents"],
    ["empty agents", { agents: [] }, "/agents"],
    ["oversized justification", { justification: "x".repeat(4001) }, "/justification"],
    ["blank justification", { justification: " ".repeat(12) }, "/justification"],
    ["unknown waives code", { waives: ["everything"] }, "/waives/0"],
    ["unknown field", { scope: "all" }, "/scope"],
  ])("rejects a request with %s: 400 naming the field, no row, no event", async (name, overrides, field) => {
    const body: Record<string, unknown> = waiverRequest(overrides);
    for (const k of Object.keys(body)) if (body[k] === undefined) delete body[k];
    const size = await f.treeSize();
    const rows = (await f.ctx.db.selectFrom("waivers").select("id").execute()).length;
    const res = await f.callInvalid(name, "POST", "/v1/waivers", "engineer", body);
    expect(res.status).toBe(400);
    expect(res.body.error.field).toBe(field);
    expect(await f.treeSize()).toBe(size);
    expect((await f.ctx.db.selectFrom("waivers").select("id").execute()).length).toBe(rows);
  });

  it("rejects bad approve/revoke input and unknown ids", async () => {
    const waiver = await request();
    expect(
      (await f.callInvalid("comment not a string", "POST", `/v1/waivers/${waiver.id}/approve`, "security", { comment: 5 })).body.error
        .field,
    ).toBe("/comment");
    expect((await f.callInvalid("not JSON", "POST", `/v1/waivers/${waiver.id}/approve`, "security", "{not json")).body.error.field).toBe(
      "/",
    );
    expect((await f.callInvalid("no reason", "POST", `/v1/waivers/${waiver.id}/revoke`, "security", {})).body.error.field).toBe("/reason");
    expect(
      (await f.callInvalid("reason too long", "POST", `/v1/waivers/${waiver.id}/revoke`, "security", { reason: "r".repeat(4001) })).body
        .error.field,
    ).toBe("/reason");
    expect((await f.callInvalid("an id that is no UUID", "POST", "/v1/waivers/not-a-uuid/approve", "security", {})).body.error.field).toBe(
      "id",
    );
    expect((await f.call("POST", `/v1/waivers/${crypto.randomUUID()}/approve`, "security", {})).status).toBe(404);
    expect((await f.callInvalid("no such state", "GET", "/v1/waivers?state=bogus", "auditor")).body.error.field).toBe("state");
    expect((await f.call("GET", `/v1/waivers/${waiver.id}`, "auditor")).body.state).toBe("pending");
  });
});
