// A waiver as the governed bypass of secret_detected: scoped to one fingerprint, approved by someone else, and over
// when it expires. Both stores.
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SECRETS } from "../fixtures/content/secret-corpus.ts";
import { type Fixture, openFixture, waiverRequest } from "../exceptions/support.ts";
import { STORE_KINDS } from "../support/test-stores.ts";

const stripe = SECRETS.find((s) => s.name === "Stripe live secret key")!;
const github = SECRETS.find((s) => s.name === "GitHub classic token")!;

const write = (content: string, session: string) => ({
  runset: "rs-sw",
  agent: "coder",
  session,
  tool: "write_file",
  capability: "repo.write",
  resource: "src/billing.ts",
  args: { path: "src/billing.ts", contentDigest: `sha256:${createHash("sha256").update(content).digest("hex")}` },
  content,
});

const codes = (body: { reasons: Array<{ code: string }> }) => body.reasons.map((r) => r.code);

describe.each(STORE_KINDS)("secret_detected waivers (%s store)", (kind) => {
  let f: Fixture;
  beforeAll(async () => {
    f = await openFixture(kind);
    const res = await f.call("POST", "/v1/runsets", "security", {
      name: "rs-sw",
      grants: [{ agent: "coder", capability: "repo.write", resource: "src/**" }],
    });
    expect(res.status).toBe(201);
  });
  afterAll(async () => f?.close());

  it("lets one fingerprint through until the waiver expires; other findings stay denied", async () => {
    const both = await f.call("POST", "/v1/mediate", "agent", write(stripe.content + github.content, "s-1"));
    expect(both.body.decision).toBe("deny");
    const entry = await f.ctx.ledger.reader.entry(both.body.ledgerIndex);
    const findings = (entry.event.payload as { content: { findings: Array<{ rule: string; fingerprint: string }> } }).content.findings;
    const stripeFp = findings.find((x) => x.rule.startsWith("stripe/"))!.fingerprint;
    expect(both.body.reasons.some((r: { message: string }) => r.message.includes(stripeFp))).toBe(true);

    const requested = await f.call(
      "POST",
      "/v1/waivers",
      "engineer",
      waiverRequest({ resource: "src/billing.ts", waives: ["secret_detected"], fingerprints: [stripeFp], durationSeconds: 3600 }),
      "eng-1",
    );
    expect(requested.status, JSON.stringify(requested.body)).toBe(201);
    expect(requested.body.fingerprints).toEqual([stripeFp]);
    const self = await f.call("POST", `/v1/waivers/${requested.body.id}/approve`, "security", {}, "eng-1");
    expect(self.status).toBe(403);
    const approved = await f.call("POST", `/v1/waivers/${requested.body.id}/approve`, "security", { comment: "test key" }, "sec-1");
    expect(approved.body.state).toBe("active");

    const stillBoth = await f.call("POST", "/v1/mediate", "agent", write(stripe.content + github.content, "s-2"));
    expect(stillBoth.body.decision).toBe("deny");
    expect(stillBoth.body.reasons).toHaveLength(1);
    expect(stillBoth.body.reasons[0].message).toContain("github/");

    const one = await f.call("POST", "/v1/mediate", "agent", write(stripe.content, "s-3"));
    expect(one.body.decision).toBe("allow");
    expect(one.body.waivers).toEqual([requested.body.id]);
    expect(codes(one.body)).toContain("waiver_applied");
    const view = await f.call("GET", `/v1/waivers/${requested.body.id}`, "auditor");
    expect(view.body.uses.count).toBe(1);

    f.clock.advance(3601_000);
    const expired = await f.call("POST", "/v1/mediate", "agent", write(stripe.content, "s-4"));
    expect(expired.body.decision).toBe("deny");
    expect(codes(expired.body)).toEqual(["secret_detected"]);
  });

  it("refuses fingerprints on a waiver that does not waive secret_detected, and malformed ones (400 naming the field)", async () => {
    const without = await f.call("POST", "/v1/waivers", "engineer", waiverRequest({ fingerprints: [`hmac-sha256:${"a".repeat(64)}`] }));
    expect(without.status).toBe(400);
    expect(without.body.error.field).toBe("/fingerprints");
    const malformed = await f.callInvalid(
      "a fingerprint that is the secret itself",
      "POST",
      "/v1/waivers",
      "engineer",
      waiverRequest({ waives: ["secret_detected"], fingerprints: [stripe.secret] }),
    );
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.field).toBe("/fingerprints/0");
    expect(JSON.stringify(malformed.body)).not.toContain(stripe.secret!);
  });
});
