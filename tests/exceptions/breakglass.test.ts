// Break-glass on both stores: ≤ 1 hour, decisions cite it, overdue when unreviewed past its deadline, every event provable.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fromBase64, verifyInclusion } from "../../ledger/core/index.ts";
import { STORE_KINDS } from "../support/test-stores.ts";
import { type Fixture, openFixture, toolCall } from "./support.ts";
import { itemAt } from "../../common/present.ts";

describe.each(STORE_KINDS)("break-glass (%s store)", (kind) => {
  let f: Fixture;
  beforeAll(async () => {
    f = await openFixture(kind);
  });
  afterAll(async () => f?.close());

  const openBody = (overrides: Record<string, unknown> = {}) => ({
    counterClaim: "prod is down and the deploy agent lacks a grant for the hotfix path",
    compensatingControls: ["pair-reviewed live on the incident call", "diff attached to INC-7"],
    reviewDeadline: new Date(f.clock.now().getTime() + 24 * 3600_000).toISOString(),
    scope: { type: "agent", id: "bg-agent" },
    ...overrides,
  });

  it("lets decisions under it through, citing it, until a security reviewer closes it", async () => {
    const call = toolCall({ agent: "bg-agent", session: "s-bg" });
    expect((await f.call("POST", "/v1/mediate", "agent", call)).body.decision).toBe("deny");
    const opened = await f.call("POST", "/v1/breakglass", "admin", openBody(), "adm-1");
    expect(opened.status, JSON.stringify(opened.body)).toBe(201);
    const bg = opened.body;
    expect(bg).toMatchObject({ state: "open", active: true, overdue: false, openedBy: "adm-1" });
    expect(bg.expiresAt).toBe(new Date(f.clock.now().getTime() + 3600_000).toISOString());

    const allowed = await f.call("POST", "/v1/mediate", "agent", call);
    expect(allowed.body.decision).toBe("allow");
    expect(allowed.body.reasons.map((r: any) => r.code)).toContain("breakglass_applied");
    const decision = await f.ctx.ledger.reader.entry(allowed.body.ledgerIndex);
    expect(decision.event.payload.breakglass).toEqual([bg.id]);
    expect((await f.call("GET", "/v1/breakglass", "auditor")).body.breakglass.find((b: any) => b.id === bg.id).uses.count).toBe(1);

    const self = await f.call(
      "POST",
      `/v1/breakglass/${bg.id}/review`,
      "security",
      { finding: "looked fine to me", verdict: "justified" },
      "adm-1",
    );
    expect(self.status).toBe(403);
    expect(self.body.error.code).toBe("self_approval");
    // The same person with a token whose subject is spelled in capitals.
    const shouted = await f.call(
      "POST",
      `/v1/breakglass/${bg.id}/review`,
      "security",
      { finding: "looked fine to me", verdict: "justified" },
      "ADM-1",
    );
    expect(shouted.status).toBe(403);
    expect(shouted.body.error.code).toBe("self_approval");
    // And in fullwidth letters (issue 14): NFKC makes them the same person.
    const fullwidth = await f.call(
      "POST",
      `/v1/breakglass/${bg.id}/review`,
      "security",
      { finding: "looked fine to me", verdict: "justified" },
      "ａｄｍ-1",
    );
    expect(fullwidth.status).toBe(403);
    expect(fullwidth.body.error.code).toBe("self_approval");
    const reviewed = await f.call(
      "POST",
      `/v1/breakglass/${bg.id}/review`,
      "security",
      { finding: "hotfix diff matches INC-7", verdict: "justified" },
      "sec-1",
    );
    expect(reviewed.body).toMatchObject({ state: "reviewed", active: false, reviewedBy: "sec-1", verdict: "justified" });
    expect((await f.call("POST", "/v1/mediate", "agent", call)).body.decision).toBe("deny");
    const size = await f.treeSize();
    expect(
      (await f.call("POST", `/v1/breakglass/${bg.id}/review`, "security", { finding: "second look here", verdict: "justified" }, "sec-2"))
        .status,
    ).toBe(409);
    expect(await f.treeSize()).toBe(size);
  });

  it("stops applying after its hour and is flagged overdue once unreviewed past the deadline", async () => {
    const bg = (
      await f.call("POST", "/v1/breakglass", "admin", openBody({ scope: { type: "runset", id: "rs-late" }, durationSeconds: 1800 }))
    ).body;
    const call = toolCall({ runset: "rs-late", agent: "late-agent", session: "s-late" });
    expect((await f.call("POST", "/v1/mediate", "agent", call)).body.decision).toBe("allow");
    f.clock.advance(1800_000);
    expect((await f.call("POST", "/v1/mediate", "agent", call)).body.decision).toBe("deny");
    const listed = async () => (await f.call("GET", "/v1/breakglass", "auditor")).body.breakglass.find((b: any) => b.id === bg.id);
    expect(await listed()).toMatchObject({ active: false, overdue: false });
    f.clock.advance(24 * 3600_000);
    expect(await listed()).toMatchObject({ active: false, overdue: true, state: "open" });
    expect((await f.call("GET", "/v1/breakglass?overdue=true", "auditor")).body.breakglass.map((b: any) => b.id)).toContain(bg.id);
    expect(await f.ctx.breakglass!.flags([bg.id])).toEqual([expect.objectContaining({ id: bg.id, overdue: true })]);
    const reviewed = await f.call("POST", `/v1/breakglass/${bg.id}/review`, "security", {
      finding: "late but justified",
      verdict: "justified",
    });
    expect(reviewed.body.overdue).toBe(false);
    const reviewedEntries = await f.ctx.ledger.reader.entriesFor("breakglass.reviewed", `breakglass:${bg.id}`);
    const event = itemAt(reviewedEntries, 0, "breakglass.reviewed entries").event;
    expect(event.payload).toMatchObject({ reviewedLate: true, uses: 1 });
  });

  it("carries ledger indexes whose inclusion proofs verify against a signed checkpoint", async () => {
    const bg = (await f.call("POST", "/v1/breakglass", "admin", openBody())).body;
    await f.call("POST", `/v1/breakglass/${bg.id}/review`, "security", { finding: "reviewed on the spot", verdict: "unjustified" });
    const checkpoint = await f.call("POST", "/v1/ledger/checkpoint", "admin", {});
    const item = (await f.call("GET", "/v1/breakglass", "auditor")).body.breakglass.find((b: any) => b.id === bg.id);
    expect(item.ledger.map((r: any) => r.kind)).toEqual(["breakglass.opened", "breakglass.reviewed"]);
    for (const ref of item.ledger) {
      const entry = (await f.call("GET", `/v1/ledger/entries/${ref.index}`, "auditor")).body;
      expect(entry.event.subject).toEqual({ type: "breakglass", id: bg.id });
      const proof = (await f.call("GET", ref.inclusionProof, "auditor")).body;
      expect(proof.size).toBe(checkpoint.body.size);
      verifyInclusion({
        leafHash: fromBase64(entry.leafHash),
        index: ref.index,
        size: proof.size,
        proof: proof.hashes.map(fromBase64),
        root: fromBase64(checkpoint.body.rootHash),
      });
    }
  });

  it.each([
    ["a duration over one hour", { durationSeconds: 3601 }, "/durationSeconds"],
    ["a past review deadline", { reviewDeadline: "2020-01-01T00:00:00Z" }, "/reviewDeadline"],
    ["a malformed deadline", { reviewDeadline: "tomorrow" }, "/reviewDeadline"],
    // Valid RFC 3339 that Date cannot hold; answered 500 before.
    ["a leap-second deadline", { reviewDeadline: "2026-12-31T23:59:60Z" }, "/reviewDeadline"],
    ["a blank counter-claim", { counterClaim: " ".repeat(20) }, "/counterClaim"],
    ["no compensating controls", { compensatingControls: [] }, "/compensatingControls"],
    ["a missing counter-claim", { counterClaim: undefined }, "/counterClaim"],
    ["an oversized counter-claim", { counterClaim: "c".repeat(4001) }, "/counterClaim"],
    ["an unknown scope type", { scope: { type: "planet" } }, "/scope/type"],
    ["a runset scope without id", { scope: { type: "runset" } }, "/scope/id"],
  ])("rejects opening with %s: 400 naming the field, no row, no event", async (name, overrides, field) => {
    const body: Record<string, unknown> = openBody(overrides);
    for (const k of Object.keys(body)) if (body[k] === undefined) delete body[k];
    const size = await f.treeSize();
    const rows = (await f.ctx.db.selectFrom("breakglass").select("id").execute()).length;
    const res = await f.callInvalid(name, "POST", "/v1/breakglass", "admin", body);
    expect(res.status).toBe(400);
    expect(res.body.error.field).toBe(field);
    expect(await f.treeSize()).toBe(size);
    expect((await f.ctx.db.selectFrom("breakglass").select("id").execute()).length).toBe(rows);
  });

  it("rejects bad review input", async () => {
    const bg = (await f.call("POST", "/v1/breakglass", "admin", openBody())).body;
    expect(
      (await f.callInvalid("no verdict", "POST", `/v1/breakglass/${bg.id}/review`, "security", { finding: "fine fine fine" })).body.error
        .field,
    ).toBe("/verdict");
    expect(
      (
        await f.callInvalid("finding not a string", "POST", `/v1/breakglass/${bg.id}/review`, "security", {
          finding: 1,
          verdict: "justified",
        })
      ).body.error.field,
    ).toBe("/finding");
    expect(
      (
        await f.callInvalid("an id that is no UUID", "POST", "/v1/breakglass/nope/review", "security", {
          finding: "fine fine fine",
          verdict: "justified",
        })
      ).body.error.field,
    ).toBe("id");
    expect((await f.callInvalid("overdue is true or false", "GET", "/v1/breakglass?overdue=maybe", "auditor")).body.error.field).toBe(
      "overdue",
    );
  });
});
