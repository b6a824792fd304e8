// Webhooks end to end on both stores: a real loopback receiver verifies every message with the standardwebhooks
// library; each event kind arrives once, in ledger order; a receiver that was down gets everything when back; a
// delivery given up lands on the dead-letter list and can be redelivered; bad subscriptions are refused.
import { createHash } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ManualClock } from "../../common/clock.ts";
import { WEBHOOK_KINDS } from "../../server/index.ts";
import { REPO, registerRunset, releaseBody } from "../evidence/support.ts";
import { waiverRequest } from "../exceptions/support.ts";
import { STORE_KINDS } from "../support/test-stores.ts";
import { startTestServer, type TestServer } from "../support/test-server.ts";
import { type Receiver, startReceiver } from "./receiver.ts";

const ALLOW_LOOPBACK = { allowance: { hosts: ["127.0.0.1"] } };

describe.each(STORE_KINDS)("webhooks (%s store)", (kind) => {
  let server: TestServer;
  let clock: ManualClock;
  let receiver: Receiver;

  beforeAll(async () => {
    clock = new ManualClock(new Date());
    server = await startTestServer(kind, {
      clock,
      webhooks: { ...ALLOW_LOOPBACK, retry: { baseMs: 1000, maxMs: 4000, windowMs: 10_000 }, expiringLeadMs: 3600_000 },
    });
    receiver = await startReceiver();
  });
  afterAll(async () => {
    await receiver?.close();
    await server?.close();
  });
  afterEach(async () => {
    // Each test starts with no subscription, so one test's events reach only its own.
    const { body } = await server.call("GET", "/v1/webhooks", { token: await admin() });
    for (const w of body.webhooks.filter((w: any) => w.state === "active")) {
      await server.call("POST", `/v1/webhooks/${w.id}/remove`, { token: await admin(), body: { reason: "end of test" } });
    }
    receiver.accepted.length = 0;
    receiver.arrivals.length = 0;
    receiver.failing = false;
  });

  const subscribe = async (events: readonly string[], format?: string) => {
    const res = await server.call("POST", "/v1/webhooks", {
      token: await admin(),
      body: { url: receiver.url, events, ...(format && { format }) },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    receiver.secret = res.body.secret;
    return res.body;
  };
  // Tokens are issued on the test's clock, which the tests move by hours.
  const admin = () => server.token("admin", "adm-1");
  const drain = () => server.ctx.webhooks.dispatcher.drain();
  const placeHold = async (reason: string) => {
    const auditor = await server.token("auditor", "aud-1");
    const res = await server.call("POST", "/v1/holds", {
      token: auditor,
      body: { scope: { type: "repository", id: "acme/other" }, reason },
    });
    expect(res.status).toBe(201);
    return res.body;
  };

  it("delivers each event kind once, in ledger order, signed so the standardwebhooks library verifies it", async () => {
    const sub = await subscribe(WEBHOOK_KINDS);
    const security = await server.token("security", "sec-1");
    const auditor = await server.token("auditor", "aud-1");
    const engineer = await server.token("engineer", "eng-1");
    const ticks = () => server.ctx.webhooks.deadlines.tick();

    expect((await server.call("POST", "/v1/policy/activate", { token: security, body: { default: true } })).status).toBe(200);
    const waiver = (await server.call("POST", "/v1/waivers", { token: engineer, body: waiverRequest() })).body;
    expect((await server.call("POST", `/v1/waivers/${waiver.id}/approve`, { token: security, body: {} })).status).toBe(200);
    await ticks(); // within the lead time: waiver.expiring
    await ticks(); // noticed once, not twice
    const hold = (
      await server.call("POST", "/v1/holds", { token: auditor, body: { scope: { type: "repository", id: REPO }, reason: "audit" } })
    ).body;
    await registerRunset(server);
    const created = await server.call("POST", "/v1/releases", {
      token: security,
      body: releaseBody({ sessions: [], runsets: ["rs-rel"] }),
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect((await server.call("POST", "/v1/releases/api-1.2.0/publish", { token: security })).status).toBe(409);
    expect((await server.call("POST", `/v1/holds/${hold.id}/clear`, { token: auditor, body: { reason: "audit done" } })).status).toBe(200);
    expect((await server.call("POST", "/v1/releases/api-1.2.0/publish", { token: security })).status).toBe(200);
    const opened = await server.call("POST", "/v1/breakglass", {
      token: await admin(),
      body: {
        counterClaim: "prod is down and the deploy agent lacks a grant for the hotfix path",
        compensatingControls: ["pair-reviewed live on the incident call"],
        reviewDeadline: new Date(clock.now().getTime() + 2 * 3600_000).toISOString(),
        scope: { type: "agent", id: "coder" },
      },
    });
    expect(opened.status, JSON.stringify(opened.body)).toBe(201);
    clock.advance(3 * 3600_000);
    await ticks(); // the waiver expired, the break-glass review is overdue
    await ticks();

    await drain();
    expect(receiver.rejected).toEqual([]);
    expect(receiver.accepted.map((m) => m.type).sort()).toEqual([...WEBHOOK_KINDS].sort());
    const indexes = receiver.accepted.map((m) => m.ledgerIndex!);
    expect(indexes).toEqual([...indexes].sort((a, b) => a - b));
    expect(new Set(receiver.accepted.map((m) => m.id)).size).toBe(receiver.accepted.length);
    // The body carries the signed ledger entry and a link to its inclusion proof.
    for (const m of receiver.accepted) {
      const entry = await server.ctx.ledger.reader.entry(m.ledgerIndex!);
      expect(m.body.data.entry.event).toEqual(entry.event);
      expect(m.body.data.entry.signature).toBe(entry.signature);
      expect(m.body.data.links.inclusionProof).toContain(`/v1/ledger/proofs/inclusion?index=${m.ledgerIndex}&size=`);
      expect(m.id).toBe(`msg_${entry.event.id}`);
    }
    const blocked = receiver.accepted.find((m) => m.type === "release.blocked")!;
    expect(blocked.body.data.entry.event.payload.reasons.map((r: any) => r.code)).toContain("hold_active");
    // Nothing more on a second pass: the cursor is durable and past them all.
    await drain();
    expect(receiver.accepted).toHaveLength(WEBHOOK_KINDS.length);
    const view = (await server.call("GET", `/v1/webhooks/${sub.id}`, { token: await admin() })).body;
    expect(view.delivery).toMatchObject({ delivered: WEBHOOK_KINDS.length, attempts: 0, deadLetters: 0 });
    expect(view.delivery.nextIndex).toBe((await server.ctx.ledger.reader.head()).size);
  });

  it("shows the secret once and ledgers only its digest", async () => {
    const sub = await subscribe(["hold.placed"]);
    expect(sub.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    const digest = `sha256:${createHash("sha256").update(sub.secret).digest("hex")}`;
    expect(sub.secretDigest).toBe(digest);
    const read = await server.call("GET", `/v1/webhooks/${sub.id}`, { token: await admin() });
    expect(read.body).not.toHaveProperty("secret");
    expect(JSON.stringify((await server.call("GET", "/v1/webhooks", { token: await admin() })).body)).not.toContain(sub.secret.slice(6));
    const [entry] = await server.ctx.ledger.reader.entriesFor("webhook.subscribed", `webhook:${sub.id}`);
    expect(entry!.event.payload).toMatchObject({ url: receiver.url, events: ["hold.placed"], format: "standard", secretDigest: digest });
    const { size } = await server.ctx.ledger.reader.head();
    const raw = await server.ctx.ledger.reader.rawEntries(0, size);
    expect(raw.some((r) => Buffer.from(r.canonical).toString("utf8").includes(sub.secret.slice(6)))).toBe(false);
  });

  it("a receiver that is down gets everything in order when it is back, each message with the id it was first sent under", async () => {
    await subscribe(["hold.placed"]);
    receiver.failing = true;
    for (let i = 0; i < 5; i++) await placeHold(`hold ${i} while the receiver is down`);
    await drain();
    expect(receiver.arrivals).toHaveLength(1); // head of line: one attempt, then it waits for the backoff
    const firstId = receiver.arrivals[0];
    clock.advance(1000); // before the backoff is due nothing is sent
    receiver.failing = false;
    await drain();
    clock.advance(5000);
    await drain();
    expect(receiver.accepted.map((m) => m.body.data.entry.event.payload.reason)).toEqual(
      [0, 1, 2, 3, 4].map((i) => `hold ${i} while the receiver is down`),
    );
    expect(receiver.accepted[0]!.id).toBe(firstId);
  });

  it("gives up after the retry window onto the dead-letter list, and redelivers on request", async () => {
    const sub = await subscribe(["hold.placed"]);
    receiver.failing = true;
    await placeHold("first, to be given up");
    await placeHold("second, to be given up");
    for (let i = 0; i < 12; i++) {
      await drain();
      clock.advance(4000);
    }
    await drain();
    const failures = (await server.call("GET", `/v1/webhooks/failures?webhook=${sub.id}`, { token: await admin() })).body.failures;
    expect(failures.map((f: any) => [f.kind, f.state])).toEqual([
      ["hold.placed", "dead"],
      ["hold.placed", "dead"],
    ]);
    expect(failures[0].lastError).toBe("HTTP 503");
    expect(failures[0].attempts).toBeGreaterThan(1);
    receiver.failing = false;
    const again = await server.call("POST", `/v1/webhooks/failures/${failures[0].id}/redeliver`, { token: await admin() });
    expect(again.status).toBe(200);
    expect(again.body.state).toBe("queued");
    await drain();
    expect(receiver.accepted.map((m) => m.body.data.entry.event.payload.reason)).toEqual(["first, to be given up"]);
    const after = (await server.call("GET", `/v1/webhooks/failures?webhook=${sub.id}`, { token: await admin() })).body.failures;
    expect(after.map((f: any) => f.state)).toEqual(["redelivered", "dead"]);
    expect((await server.call("POST", `/v1/webhooks/failures/${failures[0].id}/redeliver`, { token: await admin() })).status).toBe(409);
  });

  it("posts a Slack message and keeps the Slack URL's path (its token) out of the ledger and the listing", async () => {
    const sub = await subscribe(["hold.placed"], "slack");
    expect(sub.url).toBe(`http://127.0.0.1:${receiver.port}/…`);
    const [entry] = await server.ctx.ledger.reader.entriesFor("webhook.subscribed", `webhook:${sub.id}`);
    expect(JSON.stringify(entry!.event)).not.toContain("/hook");
    await placeHold("SOX <review> & co");
    await drain();
    expect(receiver.accepted).toHaveLength(1);
    expect(receiver.accepted[0]!.body.text).toContain("*hold.placed* aud-1 placed hold");
    expect(receiver.accepted[0]!.body.text).toContain("SOX &lt;review&gt; &amp; co");
  });

  it("sends a signed test message on request", async () => {
    const sub = await subscribe(["hold.placed"]);
    const res = await server.call("POST", `/v1/webhooks/${sub.id}/test`, { token: await admin() });
    expect(res.body).toMatchObject({ webhookId: sub.id, delivered: true, status: 204 });
    expect(receiver.accepted.map((m) => m.type)).toEqual(["webhook.test"]);
    receiver.failing = true;
    expect((await server.call("POST", `/v1/webhooks/${sub.id}/test`, { token: await admin() })).body).toMatchObject({
      delivered: false,
      status: 503,
    });
  });

  it("stops delivering once removed, and the removal is a ledger event", async () => {
    const sub = await subscribe(["hold.placed"]);
    const removed = await server.call("POST", `/v1/webhooks/${sub.id}/remove`, {
      token: await admin(),
      body: { reason: "receiver retired" },
    });
    expect(removed.body.state).toBe("removed");
    expect(await server.ctx.ledger.reader.entriesFor("webhook.removed", `webhook:${sub.id}`)).toHaveLength(1);
    await placeHold("after removal");
    await drain();
    expect(receiver.arrivals).toEqual([]);
    expect((await server.call("POST", `/v1/webhooks/${sub.id}/remove`, { token: await admin(), body: { reason: "again" } })).status).toBe(
      409,
    );
  });

  // The URL cases fit the document (a string) and only the server's rules refuse them: https, allowed hosts, no
  // credentials. The others break the subscribe schema itself, on purpose, to see the server name the field.
  it.each([
    [{ url: "ftp://127.0.0.1/x", events: ["hold.placed"] }, "/url", /must be https \(got ftp\)/, undefined],
    [{ url: "http://example.com/hook", events: ["hold.placed"] }, "/url", /MAESTRO_WEBHOOK_ALLOW_HOSTS/, undefined],
    [{ url: "https://u:p@example.com/hook", events: ["hold.placed"] }, "/url", /user name or password/, undefined],
    [{ url: "https://example.com/hook", events: [] }, "/events", /at least 1 item/, "no event kinds"],
    [{ url: "https://example.com/hook", events: ["waiver.eaten"] }, "/events/0", /must be one of/, "an unknown event kind"],
    [{ url: "https://example.com/hook", events: ["hold.placed"], format: "teams" }, "/format", /must be one of/, "an unknown format"],
    [{ url: "https://example.com/hook", events: ["hold.placed"], secret: "mine" }, "/secret", /not a known field/, "a secret of our own"],
    [{ events: ["hold.placed"] }, "/url", /required/, "no url"],
  ])("refuses a bad subscription %j naming the field", async (body, field, message, invalidOnPurpose) => {
    const before = (await server.ctx.ledger.reader.head()).size;
    const res = await server.call("POST", "/v1/webhooks", { token: await admin(), body, invalidOnPurpose });
    expect(res.status).toBe(400);
    expect(res.body.error.field).toBe(field);
    expect(res.body.error.message).toMatch(message);
    expect((await server.ctx.ledger.reader.head()).size).toBe(before);
  });

  it("is for admin and security only, reads included", async () => {
    for (const role of ["engineer", "auditor", "agent"] as const) {
      const token = await server.token(role);
      expect((await server.call("POST", "/v1/webhooks", { token, body: { url: receiver.url, events: ["hold.placed"] } })).status).toBe(403);
      expect((await server.call("GET", "/v1/webhooks", { token })).status).toBe(403);
      expect((await server.call("GET", "/v1/webhooks/failures", { token })).status).toBe(403);
    }
    expect((await server.call("GET", "/v1/webhooks", {})).status).toBe(401);
    const security = await server.token("security", "sec-1");
    expect((await server.call("GET", "/v1/webhooks", { token: security })).status).toBe(200);
    expect(
      (await server.call("GET", "/v1/webhooks/not-a-uuid", { token: security, invalidOnPurpose: "an id that is no UUID" })).status,
    ).toBe(400);
    expect((await server.call("GET", "/v1/webhooks/failures?state=eaten", { token: security })).body.error.field).toBe("state");
  });
});
