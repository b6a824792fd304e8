// Follows the ledger and delivers to each subscription in ledger order, exactly one process at a time per subscription.
//
// Each subscription has a durable cursor (webhook_cursors.next_index). A process takes a lease on one cursor with
// UPDATE … WHERE webhook_id = (SELECT … FOR UPDATE SKIP LOCKED): two processes on one database never hold the same
// subscription, and a process that dies loses its lease after leaseMs. The cursor moves past an entry only after the
// receiver answered 2xx (or the entry went to the dead-letter list), in the same statement that checks the lease, so
// an acknowledged entry is never sent again; an entry in flight when a process died is sent again with the same
// webhook-id, the Standard Webhooks idempotency key.
import { randomUUID } from "node:crypto";
import { type Kysely, sql } from "kysely";
import type { Clock } from "../../common/clock.ts";
import type { StoredEntry } from "../../ledger/read/ledger-reader.ts";
import { givenUp, retryDelayMs } from "./backoff.ts";
import { type WebhookKind, webhookKindOf } from "./event-kinds.ts";
import { candidatesIn, entriesAt } from "./ledger-source.ts";
import { bodyFor, type WebhookFormat } from "./message.ts";
import { sendSigned } from "./sender.ts";
import type { WebhookSettings } from "./settings.ts";
import type { WebhookService } from "./subscription-service.ts";
import type { WebhookCursorsTable, WebhookDeadLettersTable, WebhooksTable } from "./tables.ts";
import type { AppDb } from "../db/app-db.ts";

/** Entries looked at per step; the lease is renewed at least this often. */
const RANGE = 500;
/** Commits within this many ms wake one pass: at thousands of decisions/s the dispatcher must not query per commit. */
const COALESCE_MS = 10;

export interface DispatcherDeps {
  db: Kysely<AppDb>;
  reader: { head(): Promise<{ size: number }>; entry(index: number): Promise<StoredEntry> };
  service: WebhookService;
  clock: Clock;
  settings: WebhookSettings;
  /** Called with each failed attempt, for the operator's log (never a secret: the URL of a Slack hook is not shown). */
  onFailure?: (failure: { webhookId: string; index: number; kind: string; attempts: number; error: string; dead: boolean }) => void;
}

type Lease = WebhookCursorsTable & Pick<WebhooksTable, "url" | "events" | "format" | "secret_digest">;

export class WebhookDispatcher {
  readonly #deps: DispatcherDeps;
  /** This process's name on the leases it holds. */
  readonly owner = `${process.pid}-${randomUUID()}`;
  #running: Promise<void> | null = null;
  #again = false;
  #stopped = false;
  #timer: NodeJS.Timeout | undefined;
  #scheduled: NodeJS.Timeout | undefined;
  #anySubscription = false;

  constructor(deps: DispatcherDeps) {
    this.#deps = deps;
  }

  /** Polls for what no local append announced: other processes' entries, retries that fell due. */
  start(): void {
    this.#timer = setInterval(() => void this.#poll(), this.#deps.settings.pollMs);
    this.#timer.unref();
    void this.#poll();
  }

  /**
   * Runs a pass soon; never waits for it, so the appender that calls this (a decision's commit) is not slowed. Wakes
   * within COALESCE_MS make one pass, and none at all while no subscription exists (the poll notices new ones).
   */
  wake(): void {
    if (this.#stopped || this.#scheduled || !this.#anySubscription) return;
    if (this.#running) {
      this.#again = true;
      return;
    }
    this.#scheduled = setTimeout(() => {
      this.#scheduled = undefined;
      this.#running = this.#loop().finally(() => (this.#running = null));
    }, COALESCE_MS);
  }

  /**
   * Committed entries (the entry feed): wakes a pass only when one is of a kind a subscription could want. Ordinary
   * decisions (nearly every commit) cost a lookup here and nothing else; a blocked release.publish decision, which
   * only its payload tells apart, is found by the next poll (MAESTRO_WEBHOOK_POLL_MS).
   */
  committed(entries: ReadonlyArray<{ kind: string }>): void {
    if (this.#anySubscription && entries.some((e) => e.kind !== "decision" && webhookKindOf(e.kind) !== undefined)) this.wake();
  }

  /** A subscription was added or removed in this process: look again now rather than at the next poll. */
  subscriptionsChanged(): void {
    this.#anySubscription = true;
    this.wake();
  }

  async #poll(): Promise<void> {
    const row = await this.#deps.db
      .selectFrom("webhooks")
      .select("id")
      .where("state", "=", "active")
      .limit(1)
      .executeTakeFirst()
      .catch(() => undefined);
    this.#anySubscription = row !== undefined;
    this.wake();
  }

  /** Waits for the pass in flight (tests, shutdown) and lets go of every lease this process holds. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#timer);
    clearTimeout(this.#scheduled);
    await this.#running;
    await this.#deps.db
      .updateTable("webhook_cursors")
      .set({ lease_owner: null, lease_until: null })
      .where("lease_owner", "=", this.owner)
      .execute()
      .catch(() => {});
  }

  /** One pass until no subscription has work; what a test awaits instead of sleeping. */
  async drain(): Promise<void> {
    while (this.#running) await this.#running;
    await this.#pass();
  }

  async #loop(): Promise<void> {
    do {
      this.#again = false;
      try {
        await this.#pass();
      } catch (err) {
        // A store outage must not kill the process: the next poll tries again.
        console.error(JSON.stringify({ level: "warn", msg: "webhook dispatch pass failed", err: String(err) }));
      }
    } while (this.#again && !this.#stopped);
  }

  async #pass(): Promise<void> {
    const workers = Array.from({ length: this.#deps.settings.parallel }, async () => {
      for (let lease = await this.#claim(); lease && !this.#stopped; lease = await this.#claim()) await this.#serve(lease);
    });
    await Promise.all(workers);
  }

  async #claim(): Promise<Lease | undefined> {
    const now = this.#deps.clock.now();
    const { size } = await this.#deps.reader.head();
    const until = new Date(now.getTime() + this.#deps.settings.leaseMs);
    const claimed = await sql<WebhookCursorsTable>`
      update webhook_cursors set lease_owner = ${this.owner}, lease_until = ${until}
      where webhook_id = (
        select c.webhook_id from webhook_cursors c join webhooks w on w.id = c.webhook_id
        where w.state = 'active'
          and (c.lease_until is null or c.lease_until < ${now})
          and (c.next_attempt_at is null or c.next_attempt_at <= ${now})
          and (c.next_index < ${size}
               or exists (select 1 from webhook_dead_letters d where d.webhook_id = c.webhook_id and d.state = 'queued'))
        order by c.next_attempt_at nulls first, c.next_index
        limit 1
        for update of c skip locked)
      returning *`.execute(this.#deps.db);
    const cursor = claimed.rows[0];
    if (!cursor) return undefined;
    const sub = await this.#deps.db
      .selectFrom("webhooks")
      .select(["url", "events", "format", "secret_digest"])
      .where("id", "=", cursor.webhook_id)
      .executeTakeFirstOrThrow();
    return { ...cursor, ...sub, next_index: Number(cursor.next_index) };
  }

  async #serve(lease: Lease): Promise<void> {
    let secret: string;
    try {
      secret = await this.#deps.service.secretFor({ id: lease.webhook_id, secret_digest: lease.secret_digest });
    } catch (err) {
      // Removed meanwhile, or a secret that is not the ledgered one: deliver nothing, say so, keep the lease to expire.
      console.error(JSON.stringify({ level: "error", msg: "webhook not delivered", webhook: lease.webhook_id, err: String(err) }));
      return;
    }
    let prefetched = new Map<number, { event: StoredEntry["event"]; signature: string }>();
    const send = (index: number, kind: WebhookKind, treeSize: number) =>
      this.#send(lease, secret, index, kind, treeSize, prefetched.get(index));
    if (!(await this.#redeliverQueued(lease, send))) return;
    const wanted = JSON.parse(lease.events) as WebhookKind[];
    let next = lease.next_index;
    let attempts = lease.attempts;
    let firstFailure = lease.first_failure_at ? new Date(lease.first_failure_at) : null;
    const { size } = await this.#deps.reader.head();
    while (next < size && !this.#stopped) {
      const to = Math.min(size, next + RANGE);
      const candidates = await candidatesIn(this.#deps.db, wanted, next, to);
      prefetched = await entriesAt(
        this.#deps.db,
        candidates.map((c) => c.index),
      );
      for (const c of candidates) {
        const result = await send(c.index, c.kind, size);
        const now = this.#deps.clock.now();
        if (result.ok) {
          if (
            !(await this.#advance(
              lease,
              { next_index: c.index + 1, attempts: 0, first_failure_at: null, next_attempt_at: null, last_error: null },
              1,
            ))
          )
            return;
          attempts = 0;
          firstFailure = null;
          continue;
        }
        attempts += 1;
        firstFailure ??= now;
        const dead = givenUp(firstFailure, now, this.#deps.settings.retry);
        this.#deps.onFailure?.({ webhookId: lease.webhook_id, index: c.index, kind: c.kind, attempts, error: result.error!, dead });
        if (!dead) {
          const nextAttempt = new Date(now.getTime() + retryDelayMs(attempts, this.#deps.settings.retry));
          await this.#advance(
            lease,
            { next_index: c.index, attempts, first_failure_at: firstFailure, next_attempt_at: nextAttempt, last_error: result.error! },
            0,
            true,
          );
          return;
        }
        if (!(await this.#bury(lease, c.index, c.kind, attempts, firstFailure, result.error!))) return;
        attempts = 0;
        firstFailure = null;
      }
      next = to;
      if (!(await this.#advance(lease, { next_index: next }, 0))) return;
    }
    await this.#advance(lease, {}, 0, true);
  }

  /** Queued dead letters go first, each once; false when the lease was lost. */
  async #redeliverQueued(
    lease: Lease,
    send: (index: number, kind: WebhookKind, size: number) => Promise<{ ok: boolean; error?: string }>,
  ): Promise<boolean> {
    const queued = await this.#deps.db
      .selectFrom("webhook_dead_letters")
      .selectAll()
      .where("webhook_id", "=", lease.webhook_id)
      .where("state", "=", "queued")
      .orderBy("ledger_index")
      .execute();
    const { size } = await this.#deps.reader.head();
    for (const dl of queued as WebhookDeadLettersTable[]) {
      const result = await send(Number(dl.ledger_index), dl.kind as WebhookKind, size);
      const now = this.#deps.clock.now();
      await this.#deps.db
        .updateTable("webhook_dead_letters")
        .set(
          result.ok
            ? { state: "redelivered", redelivered_at: now }
            : { state: "dead", attempts: dl.attempts + 1, last_error: result.error!, dead_at: now },
        )
        .where("id", "=", dl.id)
        .where("state", "=", "queued")
        .execute();
      if (!(await this.#advance(lease, {}, 0))) return false;
    }
    return true;
  }

  async #send(
    lease: Lease,
    secret: string,
    index: number,
    kind: WebhookKind,
    treeSize: number,
    known?: { event: StoredEntry["event"]; signature: string },
  ) {
    const entry = known ?? (await this.#deps.reader.entry(index));
    // Wall time, not the injected clock: receivers check webhook-timestamp against their own clocks (replay window).
    const now = new Date();
    const body = bodyFor(lease.format as WebhookFormat, {
      kind,
      index,
      event: entry.event,
      signature: entry.signature,
      treeSize,
      baseUrl: this.#deps.settings.baseUrl,
    });
    // One id per (event, kind): a retry or a redelivery carries the same one, so receivers drop what they have seen.
    const id = `msg_${entry.event.id}`;
    return sendSigned(new URL(lease.url), secret, { id, timestamp: now, body }, this.#deps.settings.allowance, this.#deps.settings.limits);
  }

  /** Moves the cursor (and renews the lease, or lets it go) only while this process still holds it. */
  async #advance(lease: Lease, set: Partial<WebhookCursorsTable>, delivered: number, release = false): Promise<boolean> {
    const now = this.#deps.clock.now();
    const result = await this.#deps.db
      .updateTable("webhook_cursors")
      .set({
        ...set,
        ...(delivered > 0 && { delivered: sql<number>`delivered + ${delivered}` }),
        lease_owner: release ? null : this.owner,
        lease_until: release ? null : new Date(now.getTime() + this.#deps.settings.leaseMs),
      })
      .where("webhook_id", "=", lease.webhook_id)
      .where("lease_owner", "=", this.owner)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** Gives an entry up after the retry window: onto the dead-letter list, and the cursor moves past it, in one step. */
  async #bury(lease: Lease, index: number, kind: string, attempts: number, firstFailure: Date, error: string): Promise<boolean> {
    const now = this.#deps.clock.now();
    return this.#deps.db.transaction().execute(async (trx) => {
      const moved = await trx
        .updateTable("webhook_cursors")
        .set({
          next_index: index + 1,
          attempts: 0,
          first_failure_at: null,
          next_attempt_at: null,
          last_error: error,
          lease_until: new Date(now.getTime() + this.#deps.settings.leaseMs),
        })
        .where("webhook_id", "=", lease.webhook_id)
        .where("lease_owner", "=", this.owner)
        .executeTakeFirst();
      if (Number(moved.numUpdatedRows) !== 1) return false;
      await trx
        .insertInto("webhook_dead_letters")
        .values({
          id: randomUUID(),
          webhook_id: lease.webhook_id,
          ledger_index: index,
          kind,
          state: "dead",
          attempts,
          first_failure_at: firstFailure,
          dead_at: now,
          last_error: error,
          redelivered_at: null,
        })
        .onConflict((oc) => oc.columns(["webhook_id", "ledger_index"]).doNothing())
        .execute();
      return true;
    });
  }
}
