// Approve and revoke at once: exactly one wins, the loser gets 409 and writes nothing, and the ledger says which.
import { serve } from "@hono/node-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ManualClock } from "../../common/clock.ts";
import type { EventInput } from "../../ledger/event/envelope.ts";
import { configFromEnv, issueToken, type RunningServer, startServer } from "../../server/index.ts";
import { policyWaiverRules, WaiverService } from "../../server/exceptions/waivers/index.ts";
import { createTestStore, STORE_KINDS, type TestStoreConfig } from "../support/test-stores.ts";
import { type Fixture, openFixture, waiverRequest } from "./support.ts";

const ENG = { sub: "eng-1", role: "engineer", issuer: "maestro" } as const;
const SEC = { sub: "sec-1", role: "security", issuer: "maestro" } as const;

/**
 * Holds the first `n` writes (an append, or an appendAll as one) until all `n` are waiting, so both requests read the
 * same state before either commits.
 */
function gatedWriter(inner: Fixture["ctx"]["ledger"]["writer"], n: number) {
  const waiting: Array<() => void> = [];
  let gated = 0;
  const gate = async () => {
    if (gated >= n) return;
    gated += 1;
    await new Promise<void>((resolve) => {
      waiting.push(resolve);
      if (waiting.length === n) for (const release of waiting.splice(0)) release();
    });
  };
  return {
    async append(input: EventInput, options?: Parameters<typeof inner.append>[1]) {
      await gate();
      return inner.append(input, options);
    },
    async appendAll(items: Parameters<typeof inner.appendAll>[0]) {
      await gate();
      return inner.appendAll(items);
    },
  };
}

describe.each(STORE_KINDS)("waiver approve/revoke race (%s store)", (kind) => {
  let f: Fixture;
  beforeAll(async () => {
    f = await openFixture(kind);
  });
  afterAll(async () => f?.close());

  it("with both reads taken before either append, exactly one transition commits", async () => {
    const outcomes = { approve: 0, revoke: 0 };
    for (let round = 0; round < 6; round++) {
      const waiver = await f.ctx.waivers!.request(waiverRequest(), ENG);
      const racer = new WaiverService(
        { db: f.ctx.db, writer: gatedWriter(f.ctx.ledger.writer, 2), reader: f.ctx.ledger.reader, clock: f.ctx.clock },
        policyWaiverRules(f.ctx.policy.holder),
      );
      // Alternate who is queued first so both outcomes are exercised.
      const [a, b] = await Promise.allSettled(
        round % 2 === 0
          ? [racer.approve(waiver.id, {}, SEC), racer.revoke(waiver.id, { reason: "race" }, { ...SEC, sub: "sec-2" })]
          : [racer.revoke(waiver.id, { reason: "race" }, { ...SEC, sub: "sec-2" }), racer.approve(waiver.id, {}, SEC)],
      );
      const settled = round % 2 === 0 ? { approve: a, revoke: b } : { approve: b, revoke: a };
      const winners = Object.entries(settled)
        .filter(([, s]) => s.status === "fulfilled")
        .map(([name]) => name);
      expect(winners).toHaveLength(1);
      const loser = Object.values(settled).find((s) => s.status === "rejected") as PromiseRejectedResult;
      expect(loser.reason.code).toBe("conflict");
      const kinds = (await f.ctx.ledger.reader.entriesFor(null, `waiver:${waiver.id}`)).map((e) => e.event.kind);
      const row = await f.ctx.db.selectFrom("waivers").selectAll().where("id", "=", waiver.id).executeTakeFirstOrThrow();
      if (winners[0] === "approve") {
        expect(kinds).toEqual(["waiver.requested", "waiver.approved", "waiver.activated"]);
        expect(row.state).toBe("active");
      } else {
        expect(kinds).toEqual(["waiver.requested", "waiver.revoked"]);
        expect(row.state).toBe("revoked");
      }
      outcomes[winners[0] as "approve" | "revoke"] += 1;
    }
    expect(outcomes.approve).toBeGreaterThan(0);
    expect(outcomes.revoke).toBeGreaterThan(0);
  });
});

describe.each(STORE_KINDS)("waiver race over real HTTP (%s store)", (kind) => {
  let store: TestStoreConfig;
  let server: RunningServer;
  beforeAll(async () => {
    store = await createTestStore(kind);
    server = await startServer(
      configFromEnv({ dataDir: store.dataDir, databaseUrl: store.databaseUrl, port: 0, host: "127.0.0.1" }, {}),
      serve,
      {
        clock: new ManualClock("2026-03-01T09:00:00Z"),
      },
    );
  });
  afterAll(async () => {
    await server?.close();
    await store?.cleanup();
  });

  it("concurrent approve and revoke requests: one 200, one 409, and the ledger holds only the winner's events", async () => {
    const key = { kid: server.ctx.ledger.keyring.token.kid, privateKey: server.ctx.ledger.keyring.token.privateKey };
    const tok = (role: "engineer" | "security" | "admin", sub: string) => issueToken(key, role, sub, 3600, server.ctx.clock);
    const base = `http://127.0.0.1:${server.port}`;
    const post = async (path: string, token: string, body: unknown) => {
      const r = await fetch(`${base}${path}`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify(body),
      });
      return { status: r.status, body: (await r.json()) as any };
    };
    const [eng, sec, adm] = await Promise.all([tok("engineer", "eng-1"), tok("security", "sec-1"), tok("admin", "adm-1")]);
    for (let round = 0; round < 8; round++) {
      const created = await post("/v1/waivers", eng, waiverRequest());
      const id = created.body.id;
      const [approve, revoke] = await Promise.all([
        post(`/v1/waivers/${id}/approve`, sec, {}),
        post(`/v1/waivers/${id}/revoke`, adm, { reason: "race" }),
      ]);
      const kinds = (await server.ctx.ledger.reader.entriesFor(null, `waiver:${id}`)).map((e) => e.event.kind);
      if (approve.status === 200 && revoke.status === 200) {
        // The two did not overlap after all: approval completed first, then the active waiver was revoked.
        // Legitimate, and the ledger must show exactly that order.
        expect(kinds).toEqual(["waiver.requested", "waiver.approved", "waiver.activated", "waiver.revoked"]);
        continue;
      }
      // They overlapped: exactly one wins, and the loser left no event behind.
      expect([approve.status, revoke.status].sort()).toEqual([200, 409]);
      expect(kinds).toEqual(
        approve.status === 200 ? ["waiver.requested", "waiver.approved", "waiver.activated"] : ["waiver.requested", "waiver.revoked"],
      );
    }
  });
});
