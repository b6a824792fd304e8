// The webhook feature's public face: subscriptions, the dispatcher that follows the ledger, and the deadline clock.
import type { Kysely } from "kysely";
import type { Clock } from "../../common/clock.ts";
import type { StoredEntry } from "../../ledger/read/ledger-reader.ts";
import type { EntryFeed } from "../feed/entry-feed.ts";
import { DeadlineClock } from "./deadline-clock.ts";
import { WebhookDispatcher } from "./dispatcher.ts";
import type { WebhookSettings } from "./settings.ts";
import { WebhookService } from "./subscription-service.ts";
import type { AppDb } from "../db/app-db.ts";
import type { LedgerWriter } from "../../ledger/append/ledger-writer.ts";
import type { WaiversTable } from "../exceptions/waivers/index.ts";

export { WEBHOOK_KINDS, type WebhookKind } from "./event-kinds.ts";
export { webhookSettingsFromEnv, type WebhookSettings } from "./settings.ts";
export { webhookMigrations, type WebhookTables } from "./tables.ts";
export { WebhookService } from "./subscription-service.ts";
export { WebhookDispatcher } from "./dispatcher.ts";
export { DeadlineClock } from "./deadline-clock.ts";

export interface Webhooks {
  service: WebhookService;
  dispatcher: WebhookDispatcher;
  deadlines: DeadlineClock;
  start(): void;
  stop(): Promise<void>;
}

export interface WebhookWiring {
  db: Kysely<AppDb>;
  writer: Pick<LedgerWriter<AppDb>, "append">;
  reader: { head(): Promise<{ size: number }>; entry(index: number): Promise<StoredEntry> };
  /** Committed entries: a commit holding a kind some subscription could want wakes the dispatcher. */
  feed: Pick<EntryFeed, "subscribe">;
  clock: Clock;
  settings: WebhookSettings;
  expireWaiver(row: WaiversTable, now: Date, trigger: string): Promise<void>;
}

export function openWebhooks(w: WebhookWiring): Webhooks {
  const service = new WebhookService(w);
  const dispatcher = new WebhookDispatcher({
    ...w,
    service,
    onFailure: (f) =>
      console.error(
        JSON.stringify({ level: f.dead ? "error" : "warn", msg: f.dead ? "webhook delivery given up" : "webhook delivery failed", ...f }),
      ),
  });
  const deadlines = new DeadlineClock({ ...w, expiringLeadMs: w.settings.expiringLeadMs });
  let unsubscribe: (() => void) | undefined;
  return {
    service,
    dispatcher,
    deadlines,
    start() {
      dispatcher.start();
      unsubscribe = w.feed.subscribe((batch) => dispatcher.committed(batch.items));
      deadlines.start(w.settings.clockMs);
    },
    async stop() {
      unsubscribe?.();
      await deadlines.stop();
      await dispatcher.stop();
    },
  };
}
