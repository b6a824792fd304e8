// Subscriptions: add (a webhook.subscribed event; the secret is answered once), list, remove (ledgered), test,
// and the dead-letter list with redelivery.
import { createHash, randomBytes, randomUUID } from "node:crypto";
import type { Kysely } from "kysely";
import { compileSchema, validated } from "../../common/ajv.ts";
import type { Clock } from "../../common/clock.ts";
import { MaestroError } from "../../common/errors.ts";
import { UUID } from "../../common/uuid.ts";
import removeSchema from "../../schemas/webhook/remove.schema.json" with { type: "json" };
import subscribeSchema from "../../schemas/webhook/subscribe.schema.json" with { type: "json" };
import type { Principal } from "../auth/roles.ts";
import type { WebhookKind } from "./event-kinds.ts";
import type { WebhookFormat } from "./message.ts";
import { sendSigned } from "./sender.ts";
import type { WebhookSettings } from "./settings.ts";
import type { WebhooksTable } from "./tables.ts";
import { checkWebhookUrl } from "./url-policy.ts";
import type { AppDb } from "../db/app-db.ts";
import type { LedgerWriter } from "../../ledger/append/ledger-writer.ts";

const checkSubscribe = compileSchema(subscribeSchema);
const checkRemove = compileSchema(removeSchema);

export interface WebhookDeps {
  db: Kysely<AppDb>;
  writer: Pick<LedgerWriter<AppDb>, "append">;
  reader: { head(): Promise<{ size: number }> };
  clock: Clock;
  settings: WebhookSettings;
}

const DEAD_LETTER_STATES = ["dead", "queued", "redelivered"];

export function digestOf(value: string): string {
  return `sha256:${createHash("sha256").update(value).digest("hex")}`;
}

/** A Standard Webhooks secret: `whsec_` and 32 random bytes in base64, what the receivers' libraries take as is. */
function newSecret(): string {
  return `whsec_${randomBytes(32).toString("base64")}`;
}

/**
 * A Slack incoming-webhook URL is itself a credential (its path is the token), so only its origin is shown or
 * ledgered; the ledger's digest of the whole URL still pins where deliveries go.
 */
export function displayUrl(url: string, format: WebhookFormat): string {
  return format === "slack" ? `${new URL(url).origin}/…` : url;
}

export class WebhookService {
  readonly #deps: WebhookDeps;

  constructor(deps: WebhookDeps) {
    this.#deps = deps;
  }

  get #db(): Kysely<AppDb> {
    return this.#deps.db;
  }

  async add(body: unknown, principal: Principal) {
    const input = validated<{ url: string; events: WebhookKind[]; format?: WebhookFormat }>(checkSubscribe, body);
    const url = checkWebhookUrl(input.url, this.#deps.settings.allowance).toString();
    const format = input.format ?? "standard";
    const id = randomUUID();
    const secret = newSecret();
    const secretDigest = digestOf(secret);
    await this.#deps.writer.append(
      {
        kind: "webhook.subscribed",
        actor: { type: "user", id: principal.sub, role: principal.role },
        subject: { type: "webhook", id },
        // Never the secret: its digest is what a later check (or an auditor holding the secret) compares against.
        payload: { url: displayUrl(url, format), urlDigest: digestOf(url), events: input.events, format, secretDigest },
      },
      {
        // Its fold (ledger/projections/webhook-folds.ts) writes the subscription and its secret, which the event names
        // only by digest; the delivery cursor is no projection, written here.
        attached: { "webhooks.url": url, "webhook_secrets.secret": secret },
        apply: async (trx, _event, index) => {
          // Delivery starts with the first entry after the subscription itself.
          await trx
            .insertInto("webhook_cursors")
            .values({ webhook_id: id, next_index: index + 1, attempts: 0, delivered: 0 })
            .execute();
        },
      },
    );
    return { ...(await this.get(id)), secret };
  }

  async remove(rawId: string, body: unknown, principal: Principal) {
    const id = parseWebhookId(rawId);
    const input = validated<{ reason: string }>(checkRemove, body);
    const row = await this.#row(id);
    if (row.state === "removed") throw new MaestroError("conflict", `webhook ${id} was already removed by ${row.removed_by}`);
    await this.#deps.writer.append(
      {
        kind: "webhook.removed",
        actor: { type: "user", id: principal.sub, role: principal.role },
        subject: { type: "webhook", id },
        payload: { reason: input.reason, fromVersion: row.version },
      },
      // Its fold marks the row removed from the version it was decided on (else 409) and drops the secret.
    );
    return this.get(id);
  }

  async list() {
    const rows = await this.#db
      .selectFrom("webhooks")
      .innerJoin("webhook_cursors", "webhook_cursors.webhook_id", "webhooks.id")
      .selectAll()
      .orderBy("created_at", "desc")
      .orderBy("id")
      .execute();
    const dead = await this.#db
      .selectFrom("webhook_dead_letters")
      .select(["webhook_id", (eb) => eb.fn.countAll<number>().as("n")])
      .where("state", "!=", "redelivered")
      .groupBy("webhook_id")
      .execute();
    const deadBy = new Map(dead.map((d) => [d.webhook_id, Number(d.n)]));
    return rows.map((r) => view(r, deadBy.get(r.id) ?? 0));
  }

  async get(rawId: string) {
    const id = parseWebhookId(rawId);
    const row = await this.#db
      .selectFrom("webhooks")
      .innerJoin("webhook_cursors", "webhook_cursors.webhook_id", "webhooks.id")
      .selectAll()
      .where("id", "=", id)
      .executeTakeFirst();
    if (!row) throw new MaestroError("not_found", `no webhook ${id}`, { field: "id" });
    const dead = await this.#db
      .selectFrom("webhook_dead_letters")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("webhook_id", "=", id)
      .where("state", "!=", "redelivered")
      .executeTakeFirstOrThrow();
    return view(row, Number(dead.n));
  }

  /** Sends one signed `webhook.test` message now and says what the receiver answered; nothing is ledgered. */
  async test(rawId: string, principal: Principal) {
    const id = parseWebhookId(rawId);
    const row = await this.#row(id);
    if (row.state !== "active") throw new MaestroError("conflict", `webhook ${id} is removed`);
    const secret = await this.secretFor(row);
    // Wall time: the receiver checks webhook-timestamp against its own clock.
    const now = new Date();
    const body =
      row.format === "slack"
        ? JSON.stringify({ text: `*webhook.test* from Maestro, requested by ${principal.sub}` })
        : JSON.stringify({ type: "webhook.test", timestamp: now.toISOString(), data: { webhookId: id, requestedBy: principal.sub } });
    const result = await sendSigned(
      new URL(row.url),
      secret,
      { id: `test_${randomUUID()}`, timestamp: now, body },
      this.#deps.settings.allowance,
      this.#deps.settings.limits,
    );
    return {
      webhookId: id,
      delivered: result.ok,
      ...(result.status !== undefined && { status: result.status }),
      ...(result.error && { error: result.error }),
    };
  }

  async failures(filter: { webhook?: string; state?: string } = {}) {
    let query = this.#db.selectFrom("webhook_dead_letters").selectAll().orderBy("ledger_index").orderBy("webhook_id").limit(1000);
    if (filter.webhook) query = query.where("webhook_id", "=", parseWebhookId(filter.webhook, "webhook"));
    if (filter.state) {
      if (!DEAD_LETTER_STATES.includes(filter.state)) {
        throw new MaestroError("invalid_field", `state must be one of ${DEAD_LETTER_STATES.join(", ")}`, { field: "state" });
      }
      query = query.where("state", "=", filter.state as "dead");
    }
    return (await query.execute()).map((r) => ({
      id: r.id,
      webhookId: r.webhook_id,
      ledgerIndex: Number(r.ledger_index),
      kind: r.kind,
      state: r.state,
      attempts: r.attempts,
      firstFailureAt: new Date(r.first_failure_at).toISOString(),
      deadAt: new Date(r.dead_at).toISOString(),
      lastError: r.last_error,
      redeliveredAt: r.redelivered_at ? new Date(r.redelivered_at).toISOString() : null,
    }));
  }

  /** Queues a dead letter for one more delivery (the dispatcher sends it before new entries of its subscription). */
  async redeliver(rawId: string) {
    const id = parseWebhookId(rawId);
    const row = await this.#db.selectFrom("webhook_dead_letters").selectAll().where("id", "=", id).executeTakeFirst();
    if (!row) throw new MaestroError("not_found", `no failed delivery ${id}`, { field: "id" });
    if (row.state !== "dead")
      throw new MaestroError("conflict", `failed delivery ${id} is ${row.state}, not dead`, { details: { state: row.state } });
    await this.#db.updateTable("webhook_dead_letters").set({ state: "queued" }).where("id", "=", id).where("state", "=", "dead").execute();
    // Wake the subscription now rather than at its next retry time.
    await this.#db.updateTable("webhook_cursors").set({ next_attempt_at: null }).where("webhook_id", "=", row.webhook_id).execute();
    return (await this.failures({ webhook: row.webhook_id })).find((f) => f.id === id)!;
  }

  /** The signing secret, refused when it is not the one the ledger's digest names (a swapped row signs nothing). */
  async secretFor(row: Pick<WebhooksTable, "id" | "secret_digest">): Promise<string> {
    const stored = await this.#db.selectFrom("webhook_secrets").select("secret").where("webhook_id", "=", row.id).executeTakeFirst();
    if (!stored || digestOf(stored.secret) !== row.secret_digest) {
      throw new MaestroError("verification_failed", `webhook ${row.id}: the stored signing secret does not match its ledgered digest`);
    }
    return stored.secret;
  }

  async #row(id: string): Promise<WebhooksTable> {
    const row = await this.#db.selectFrom("webhooks").selectAll().where("id", "=", id).executeTakeFirst();
    if (!row) throw new MaestroError("not_found", `no webhook ${id}`, { field: "id" });
    return row;
  }
}

export function parseWebhookId(value: string | undefined, field = "id"): string {
  if (!value || !UUID.test(value)) throw new MaestroError("invalid_field", `${field} must be a UUID`, { field });
  return value;
}

function view(row: any, deadLetters: number) {
  return {
    id: row.id as string,
    state: row.state as string,
    url: displayUrl(row.url, row.format),
    events: JSON.parse(row.events) as string[],
    format: row.format as string,
    secretDigest: row.secret_digest as string,
    createdBy: row.created_by as string,
    createdAt: new Date(row.created_at).toISOString(),
    removedBy: row.removed_by as string | null,
    removedAt: row.removed_at ? new Date(row.removed_at).toISOString() : null,
    delivery: {
      nextIndex: Number(row.next_index),
      delivered: Number(row.delivered),
      attempts: row.attempts as number,
      nextAttemptAt: row.next_attempt_at ? new Date(row.next_attempt_at).toISOString() : null,
      lastError: row.last_error as string | null,
      deadLetters,
    },
    ledger: JSON.parse(row.ledger_refs) as Array<{ kind: string; index: number }>,
  };
}
