// Auditor holds on both stores: release.* decisions in scope are denied citing the hold until an auditor clears it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { STORE_KINDS } from "../support/test-stores.ts";
import { type Fixture, openFixture, toolCall } from "./support.ts";

const RELEASE = "acme/app@1.2.0";
const publish = (resource = RELEASE) =>
  toolCall({ runset: "rel-rs", agent: "releaser", session: "s-rel", tool: "publish", capability: "release.publish", resource });

describe.each(STORE_KINDS)("holds (%s store)", (kind) => {
  let f: Fixture;
  beforeAll(async () => {
    f = await openFixture(kind);
    const registered = await f.call("POST", "/v1/runsets", "admin", {
      name: "rel-rs",
      grants: [{ agent: "releaser", capability: "release.publish", resource: "*", approval: "none" }],
    });
    expect(registered.status, JSON.stringify(registered.body)).toBe(201);
  });
  afterAll(async () => f?.close());

  const decide = async (resource?: string) => (await f.call("POST", "/v1/mediate", "agent", publish(resource))).body;

  it.each([
    ["release", { type: "release", id: RELEASE }],
    ["repository", { type: "repository", id: "acme/app" }],
    ["all", { type: "all" }],
  ])("a hold on %s denies release.publish with hold_active naming the hold and who placed it; clearing lifts it", async (_n, scope) => {
    expect((await decide()).decision).toBe("allow");
    const placed = await f.call("POST", "/v1/holds", "auditor", { scope, reason: "SOX evidence under review" }, "aud-1");
    expect(placed.status).toBe(201);
    const hold = placed.body;
    expect(hold).toMatchObject({ state: "active", scope, placedBy: "aud-1", explanation: { contact: "aud-1" } });
    expect(hold.explanation.clears).toContain(`maestro hold clear ${hold.id}`);

    const denied = await decide();
    expect(denied.decision).toBe("deny");
    const reason = denied.reasons.find((r: any) => r.code === "hold_active");
    expect(reason.message).toContain(hold.id);
    expect(reason.message).toContain("aud-1");
    expect(reason.message).toContain("only an auditor can clear it");
    // Other capabilities are untouched by holds.
    const read = await f.call("POST", "/v1/mediate", "agent", toolCall({ capability: "repo.read", resource: "README.md" }));
    expect(read.body.reasons.map((r: any) => r.code)).not.toContain("hold_active");

    const cleared = await f.call("POST", `/v1/holds/${hold.id}/clear`, "auditor", { reason: "review finished" }, "aud-2");
    expect(cleared.body).toMatchObject({ state: "cleared", clearedBy: "aud-2", clearReason: "review finished" });
    expect((await decide()).decision).toBe("allow");
    const kinds = (await f.ctx.ledger.reader.entriesFor(null, `hold:${hold.id}`)).map((e) => e.event.kind);
    expect(kinds).toEqual(["hold.placed", "hold.cleared"]);
  });

  it("a hold on another repository or release does not block this one", async () => {
    const other = await f.call("POST", "/v1/holds", "auditor", { scope: { type: "repository", id: "acme/other" }, reason: "unrelated" });
    const release = await f.call("POST", "/v1/holds", "auditor", { scope: { type: "release", id: "acme/app@9.9.9" }, reason: "unrelated" });
    expect((await decide()).decision).toBe("allow");
    expect((await decide("acme/app@9.9.9")).decision).toBe("deny");
    await f.call("POST", `/v1/holds/${other.body.id}/clear`, "auditor", { reason: "done" });
    await f.call("POST", `/v1/holds/${release.body.id}/clear`, "auditor", { reason: "done" });
  });

  it("lists holds with their explanation; clearing twice is 409 and writes nothing", async () => {
    const placed = await f.call("POST", "/v1/holds", "auditor", { scope: { type: "all" }, reason: "freeze" });
    const active = await f.call("GET", "/v1/holds?state=active", "auditor");
    expect(active.body.holds.map((h: any) => h.id)).toEqual([placed.body.id]);
    expect(active.body.holds[0].explanation.blocks).toContain("every release");
    expect(active.body.holds[0].ledger[0]).toMatchObject({ kind: "hold.placed" });
    await f.call("POST", `/v1/holds/${placed.body.id}/clear`, "auditor", { reason: "thaw" });
    const size = await f.treeSize();
    const again = await f.call("POST", `/v1/holds/${placed.body.id}/clear`, "auditor", { reason: "thaw" });
    expect(again.status).toBe(409);
    expect(await f.treeSize()).toBe(size);
    expect((await f.call("GET", "/v1/holds?state=active", "auditor")).body.holds).toEqual([]);
  });

  it.each([
    ["missing scope", { reason: "why not" }, "/scope"],
    ["unknown scope type", { scope: { type: "galaxy" }, reason: "why not" }, "/scope/type"],
    ["release without id", { scope: { type: "release" }, reason: "why not" }, "/scope/id"],
    ["all with an id", { scope: { type: "all", id: "x" }, reason: "why not" }, "/scope/id"],
    ["repository with a version", { scope: { type: "repository", id: "acme/app@1" }, reason: "why not" }, "/scope/id"],
    // A release record's own id is not what release.publish is decided on: such a hold would block nothing.
    ["release named without @version", { scope: { type: "release", id: "rel1" }, reason: "why not" }, "/scope/id"],
    ["blank reason", { scope: { type: "all" }, reason: "   \n " }, "/reason"],
    ["missing reason", { scope: { type: "all" } }, "/reason"],
    ["oversized reason", { scope: { type: "all" }, reason: "r".repeat(4001) }, "/reason"],
    ["wrong type", { scope: "all", reason: "x y z" }, "/scope"],
  ])("rejects a hold with %s: 400 naming the field, no row, no event", async (name, body, field) => {
    const size = await f.treeSize();
    const rows = (await f.ctx.db.selectFrom("holds").select("id").execute()).length;
    const res = await f.callInvalid(name, "POST", "/v1/holds", "auditor", body);
    expect(res.status).toBe(400);
    expect(res.body.error.field).toBe(field);
    expect(await f.treeSize()).toBe(size);
    expect((await f.ctx.db.selectFrom("holds").select("id").execute()).length).toBe(rows);
  });

  it("rejects bad clear input and unknown holds", async () => {
    const placed = await f.call("POST", "/v1/holds", "auditor", { scope: { type: "all" }, reason: "freeze" });
    expect((await f.callInvalid("no reason", "POST", `/v1/holds/${placed.body.id}/clear`, "auditor", {})).body.error.field).toBe("/reason");
    expect(
      (await f.callInvalid("blank reason", "POST", `/v1/holds/${placed.body.id}/clear`, "auditor", { reason: "    " })).body.error.field,
    ).toBe("/reason");
    expect(
      (await f.callInvalid("an id that is no UUID", "POST", "/v1/holds/xyz/clear", "auditor", { reason: "done" })).body.error.field,
    ).toBe("id");
    expect((await f.call("POST", `/v1/holds/${crypto.randomUUID()}/clear`, "auditor", { reason: "done" })).status).toBe(404);
    expect((await f.callInvalid("no such state", "GET", "/v1/holds?state=maybe", "auditor")).body.error.field).toBe("state");
    await f.call("POST", `/v1/holds/${placed.body.id}/clear`, "auditor", { reason: "done" });
  });
});
