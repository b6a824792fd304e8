// Webhooks across processes: a server killed mid-delivery redelivers after restart without loss (the one message in
// flight comes again under the same webhook-id, which receivers drop), and two server processes on one PostgreSQL
// deliver each event once between them.
import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { keyPath, loadOrCreateKey } from "../../ledger/keys/key-files.ts";
import { issueToken, type Role } from "../../server/index.ts";
import { createTestStore, STORE_KINDS, type TestStoreConfig } from "../support/test-stores.ts";
import { type Receiver, startReceiver } from "./receiver.ts";

const WEBHOOK_ENV = { MAESTRO_WEBHOOK_ALLOW_HOSTS: "127.0.0.1", MAESTRO_WEBHOOK_LEASE_MS: "1500", MAESTRO_WEBHOOK_POLL_MS: "100" };

interface Running {
  child: ChildProcess;
  base: string;
}

function serve(store: TestStoreConfig): Promise<Running> {
  const args = [
    "cli/main.ts",
    "serve",
    "--data-dir",
    store.dataDir,
    "--port",
    "0",
    ...(store.databaseUrl ? ["--database-url", store.databaseUrl] : []),
  ];
  const child = spawn(process.execPath, args, {
    env: { ...process.env, DATABASE_URL: "", ...WEBHOOK_ENV },
    stdio: ["ignore", "pipe", "pipe"],
  });
  return new Promise((resolve, reject) => {
    let err = "";
    child.stderr!.on("data", (d: Buffer) => {
      err += d;
      const m = /listening on (http:\/\/\S+)/.exec(err);
      if (m) resolve({ child, base: m[1]! });
    });
    child.once("exit", (code) => reject(new Error(`serve exited ${code}: ${err}`)));
  });
}

const stopped = (child: ChildProcess) =>
  child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((r) => child.once("exit", r));

async function tokenFor(store: TestStoreConfig, role: Role): Promise<string> {
  const key = await loadOrCreateKey("token", keyPath(join(store.dataDir, "keys"), "token"));
  return issueToken({ kid: key.kid, privateKey: key.privateKey }, role, `${role}-1`, 600);
}

async function post(base: string, path: string, token: string, body: unknown): Promise<any> {
  const res = await fetch(`${base}${path}`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const parsed = await res.json();
  if (res.status >= 300) throw new Error(`${path} answered ${res.status}: ${JSON.stringify(parsed)}`);
  return parsed;
}

const reasons = (r: Receiver) => r.accepted.map((m) => m.body.data.entry.event.payload.reason as string);

describe.each(STORE_KINDS)("webhook delivery across processes (%s store)", (kind) => {
  const cleanups: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  it("a server killed mid-delivery redelivers after restart: nothing lost, only the message in flight seen twice", async () => {
    const store = await createTestStore(kind);
    cleanups.push(() => store.cleanup());
    const receiver = await startReceiver();
    cleanups.push(() => receiver.close());
    const first = await serve(store);
    cleanups.push(async () => (first.child.kill("SIGKILL"), await stopped(first.child)));
    const admin = await tokenFor(store, "admin");
    const auditor = await tokenFor(store, "auditor");
    const sub = await post(first.base, "/v1/webhooks", admin, { url: receiver.url, events: ["hold.placed"] });
    receiver.secret = sub.secret;
    let inFlight = "";
    let placed!: () => void;
    const allPlaced = new Promise<void>((r) => (placed = r));
    // The third message reaches the receiver, which processes it; the server dies before it hears the answer.
    receiver.onArrival = async (msg) => {
      await allPlaced;
      if (receiver.accepted.length !== 2 || inFlight) return;
      inFlight = msg.id;
      first.child.kill("SIGKILL");
      await stopped(first.child);
    };
    for (let i = 0; i < 5; i++) await post(first.base, "/v1/holds", auditor, { scope: { type: "all" }, reason: `hold ${i}` });
    placed();
    await stopped(first.child);
    expect(inFlight).not.toBe("");

    const second = await serve(store);
    cleanups.push(async () => (second.child.kill("SIGTERM"), await stopped(second.child)));
    const until = Date.now() + 20_000;
    while (new Set(receiver.accepted.map((m) => m.id)).size < 5 && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 500));
    expect(receiver.rejected).toEqual([]);
    // A receiver keeps each webhook-id once (the Standard Webhooks idempotency key): then it holds every event once, in order.
    const firstSeen = receiver.accepted.filter((m, i, all) => all.findIndex((n) => n.id === m.id) === i);
    expect(firstSeen.map((m) => m.body.data.entry.event.payload.reason)).toEqual([0, 1, 2, 3, 4].map((i) => `hold ${i}`));
    const repeated = receiver.accepted.filter((m, i, all) => all.findIndex((n) => n.id === m.id) !== i).map((m) => m.id);
    expect(repeated).toEqual([inFlight]);
  }, 90_000);

  it.skipIf(kind !== "postgres")(
    "two server processes on one PostgreSQL deliver each event once between them",
    async () => {
      const store = await createTestStore(kind);
      cleanups.push(() => store.cleanup());
      const receiver = await startReceiver();
      cleanups.push(() => receiver.close());
      const a = await serve(store);
      cleanups.push(async () => (a.child.kill("SIGTERM"), await stopped(a.child)));
      const b = await serve(store);
      cleanups.push(async () => (b.child.kill("SIGTERM"), await stopped(b.child)));
      const admin = await tokenFor(store, "admin");
      const auditor = await tokenFor(store, "auditor");
      receiver.secret = (await post(a.base, "/v1/webhooks", admin, { url: receiver.url, events: ["hold.placed"] })).secret;
      // Two subscriptions to one receiver would be two deliveries by design; one subscription, two processes, is the case.
      const expected = Array.from({ length: 30 }, (_, i) => `hold ${i}`);
      for (const [i, reason] of expected.entries())
        await post(i % 2 ? b.base : a.base, "/v1/holds", auditor, { scope: { type: "all" }, reason });
      await receiver.waitFor(30);
      // Long enough for a second delivery, if there were going to be one, to arrive (polls are 100 ms apart).
      await new Promise((r) => setTimeout(r, 1500));
      expect(receiver.rejected).toEqual([]);
      expect(receiver.arrivals).toHaveLength(30);
      expect(reasons(receiver)).toEqual(expected);
    },
    90_000,
  );
});
