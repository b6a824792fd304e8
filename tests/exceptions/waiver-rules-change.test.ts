// A waiver is approved under the policy's limits at approval time: a bundle activated since the request may have
// shortened the longest duration, stopped the capability being waivable, or asked for more approvers.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WaiverService } from "../../server/exceptions/waivers/index.ts";
import type { WaiverRule } from "../../server/exceptions/waivers/waiver-rules.ts";
import { STORE_KINDS } from "../support/test-stores.ts";
import { type Fixture, openFixture } from "./support.ts";
import { present } from "../../common/present.ts";

describe.each(STORE_KINDS)("waiver limits at approval (%s store)", (kind) => {
  let f: Fixture;
  let rules: Record<string, WaiverRule>;
  let service: WaiverService;
  const person = (sub: string, role: "engineer" | "security") => ({ sub, role, issuer: "maestro" });
  const request = (durationSeconds: number) =>
    service.request(
      {
        capability: "repo.write",
        resource: "src/**",
        agents: ["coder"],
        waives: ["no_grant"],
        justification: "hotfix for INC-42, see ticket",
        durationSeconds,
      },
      person("erin", "engineer"),
    );

  beforeAll(async () => {
    f = await openFixture(kind);
    service = new WaiverService(
      { db: f.ctx.db, writer: f.ctx.ledger.writer, reader: f.ctx.ledger.reader, clock: f.clock },
      { rulesFor: (c) => present(rules[c], `the waiver rules for ${c}`) },
    );
  });
  afterAll(async () => f?.close());

  it("refuses an approval the active policy no longer allows, and waits for the approvers it now needs", async () => {
    rules = { "repo.write": { waivable: true, max_duration_seconds: 3 * 86400, approvals_required: 1 } };
    const long = await request(3 * 86400);
    const unwaivable = await request(3600);
    const more = await request(3600);
    rules = { "repo.write": { waivable: true, max_duration_seconds: 3600, approvals_required: 2 } };
    await expect(service.approve(long.id, {}, person("sam", "security"))).rejects.toMatchObject({
      code: "conflict",
      message: expect.stringContaining("at most 3600"),
    });
    const first = await service.approve(more.id, {}, person("sam", "security"));
    expect(first).toMatchObject({ state: "pending", approvalsRequired: 2 });
    expect((await service.approve(more.id, {}, person("ann", "security"))).state).toBe("active");
    rules = { "repo.write": { waivable: false, max_duration_seconds: 0, approvals_required: 0 } };
    await expect(service.approve(unwaivable.id, {}, person("sam", "security"))).rejects.toMatchObject({
      code: "conflict",
      message: expect.stringContaining("no longer allows"),
    });
    expect((await service.get(long.id, f.clock.now())).state).toBe("pending");
  });
});
