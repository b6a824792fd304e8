// The clock that expires waivers, and ledgers what is about to expire or is overdue: waiver.expiring, waiver.expired,
// breakglass.review_overdue. Each is appended once per subject, whichever process notices first.
import type { Kysely, NotNull } from "kysely";
import type { Clock } from "../../common/clock.ts";
import { isMaestroError, MaestroError } from "../../common/errors.ts";
import type { EventInput } from "../../ledger/event/envelope.ts";
import type { AppDb } from "../db/app-db.ts";
import type { LedgerWriter } from "../../ledger/append/ledger-writer.ts";
import type { WaiversTable } from "../exceptions/waivers/index.ts";

const CLOCK_ACTOR = { type: "service" as const, id: "maestro-deadline-clock" };

export interface DeadlineClockDeps {
  db: Kysely<AppDb>;
  writer: Pick<LedgerWriter<AppDb>, "append">;
  clock: Clock;
  /** The waiver service's own expiry (server/exceptions/waivers): the same transition a decision makes at first use after expiry. */
  expireWaiver(row: WaiversTable, now: Date, trigger: string): Promise<void>;
  expiringLeadMs: number;
}

/** Thrown inside the append's transaction when another process ledgered the notice first: nothing is appended. */
class AlreadyNoticed extends MaestroError {
  constructor() {
    super("conflict", "already ledgered");
  }
}

export class DeadlineClock {
  readonly #deps: DeadlineClockDeps;
  #timer: NodeJS.Timeout | undefined;
  #ticking: Promise<void> | null = null;

  constructor(deps: DeadlineClockDeps) {
    this.#deps = deps;
  }

  start(intervalMs: number): void {
    this.#timer = setInterval(
      () =>
        void this.tick().catch((err) =>
          console.error(JSON.stringify({ level: "warn", msg: "deadline clock tick failed", err: String(err) })),
        ),
      intervalMs,
    );
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.#ticking?.catch(() => {});
  }

  /** One look at the deadlines; returns what it ledgered (tests drive it with a manual clock). */
  tick(): Promise<void> {
    this.#ticking ??= this.#tick().finally(() => (this.#ticking = null));
    return this.#ticking;
  }

  async #tick(): Promise<void> {
    const now = this.#deps.clock.now();
    const soon = new Date(now.getTime() + this.#deps.expiringLeadMs);
    const waivers = await this.#deps.db
      .selectFrom("waivers")
      .selectAll()
      .where("state", "=", "active")
      .where("expires_at", "<=", soon)
      // An active waiver has its expiry set, and the comparison leaves out a null one anyway.
      .$narrowType<{ expires_at: NotNull }>()
      .execute();
    for (const row of waivers) {
      const expiresAt = new Date(row.expires_at);
      if (expiresAt <= now) {
        await ignoreConflict(this.#deps.expireWaiver(row, now, "clock"));
        continue;
      }
      await this.#once({
        kind: "waiver.expiring",
        actor: CLOCK_ACTOR,
        subject: { type: "waiver", id: row.id },
        payload: { expiresAt: expiresAt.toISOString(), requestedBy: row.requested_by, capability: row.capability, resource: row.resource },
      });
    }
    const overdue = await this.#deps.db
      .selectFrom("breakglass")
      .selectAll()
      .where("state", "=", "open")
      .where("review_deadline", "<=", now)
      .execute();
    for (const row of overdue) {
      await this.#once({
        kind: "breakglass.review_overdue",
        actor: CLOCK_ACTOR,
        subject: { type: "breakglass", id: row.id },
        payload: {
          reviewDeadline: new Date(row.review_deadline).toISOString(),
          openedBy: row.opened_by,
          expiresAt: new Date(row.expires_at).toISOString(),
        },
      });
    }
  }

  /** Appends `input` unless the ledger already holds one of its kind about its subject (checked under the head lock). */
  async #once(input: EventInput): Promise<void> {
    const subject = `${input.subject!.type}:${input.subject!.id}`;
    const seen = (db: Kysely<AppDb>) =>
      db.selectFrom("ledger_entries").select("idx").where("kind", "=", input.kind).where("subject", "=", subject).executeTakeFirst();
    if (await seen(this.#deps.db)) return;
    await ignoreConflict(
      this.#deps.writer.append(input, {
        apply: async (trx) => {
          if (await seen(trx)) throw new AlreadyNoticed();
        },
      }),
    );
  }
}

/** A concurrent transition (another process expired the waiver, or noticed first) is the outcome we wanted. */
async function ignoreConflict(work: Promise<unknown>): Promise<void> {
  try {
    await work;
  } catch (err) {
    if (!(isMaestroError(err) && err.code === "conflict")) throw err;
  }
}
