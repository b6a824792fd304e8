// `maestro webhook add|list|remove|test|failures|redeliver`: webhook subscriptions over the HTTP API (admin or security).
import { type Command, parseFlags, printJson, requireFlag, UsageError } from "../command.ts";
import { table } from "../format.ts";
import { CLIENT_FLAGS, clientFrom, requirePositional } from "../http-client.ts";
import { WEBHOOK_KINDS as KINDS } from "../../server/index.ts";

const CONNECT = "[--url URL] [--token TOKEN] [--json]   (MAESTRO_URL, MAESTRO_TOKEN also work)";

function state(w: any): string {
  if (w.state === "removed") return `removed by ${w.removedBy}`;
  const d = w.delivery;
  if (d.attempts > 0) return `retrying (${d.attempts} failed: ${d.lastError}; next ${d.nextAttemptAt})`;
  return `delivered ${d.delivered}${d.deadLetters ? `, ${d.deadLetters} failed` : ""}`;
}

export const webhookAddCommand: Command = {
  name: "webhook add",
  usage: `
Usage: maestro webhook add URL --events KIND[,KIND…]|all [--format standard|slack] ${CONNECT}

Kinds: ${KINDS.join(", ")}.
The signing secret (whsec_…) is printed once, now: give it to the receiver, which verifies each message with a
Standard Webhooks library. URLs must be https unless the server's operator lists the host in
MAESTRO_WEBHOOK_ALLOW_HOSTS.`,
  async run(argv) {
    const { values, positionals } = parseFlags(
      argv,
      { ...CLIENT_FLAGS, events: { type: "string" }, format: { type: "string" } },
      webhookAddCommand,
      true,
    );
    const url = requirePositional(positionals, "URL");
    const events = requireFlag(values.events, "events");
    const body = {
      url,
      events: events === "all" ? KINDS : events.split(",").map((e) => e.trim()),
      ...(values.format && { format: values.format }),
    };
    const created = await clientFrom(values).post("/v1/webhooks", body);
    if (values.json) printJson(created);
    else {
      process.stdout.write(`added webhook ${created.id}: ${created.url} (${created.format}) for ${created.events.join(", ")}\n`);
      process.stdout.write(`signing secret (shown only now): ${created.secret}\n`);
    }
  },
};

export const webhookListCommand: Command = {
  name: "webhook list",
  usage: `
Usage: maestro webhook list ${CONNECT}`,
  async run(argv) {
    const { values } = parseFlags(argv, CLIENT_FLAGS, webhookListCommand);
    const { webhooks } = await clientFrom(values).get("/v1/webhooks");
    if (values.json) printJson({ webhooks });
    else
      process.stdout.write(
        webhooks.length
          ? table(
              ["ID", "URL", "FORMAT", "EVENTS", "STATE"],
              webhooks.map((w: any) => [w.id, w.url, w.format, w.events.join(","), state(w)]),
            )
          : "no webhooks\n",
      );
  },
};

export const webhookRemoveCommand: Command = {
  name: "webhook remove",
  usage: `
Usage: maestro webhook remove WEBHOOK_ID --reason TEXT ${CONNECT}`,
  async run(argv) {
    const { values, positionals } = parseFlags(argv, { ...CLIENT_FLAGS, reason: { type: "string" } }, webhookRemoveCommand, true);
    const id = requirePositional(positionals, "WEBHOOK_ID");
    const removed = await clientFrom(values).post(`/v1/webhooks/${encodeURIComponent(id)}/remove`, {
      reason: requireFlag(values.reason, "reason"),
    });
    if (values.json) printJson(removed);
    else process.stdout.write(`removed webhook ${removed.id} (${removed.url})\n`);
  },
};

export const webhookTestCommand: Command = {
  name: "webhook test",
  usage: `
Usage: maestro webhook test WEBHOOK_ID ${CONNECT}

Sends one signed webhook.test message now and prints what the receiver answered; exits 1 if it did not take it.`,
  async run(argv) {
    const { values, positionals } = parseFlags(argv, CLIENT_FLAGS, webhookTestCommand, true);
    const id = requirePositional(positionals, "WEBHOOK_ID");
    const result = await clientFrom(values).post(`/v1/webhooks/${encodeURIComponent(id)}/test`, {});
    if (values.json) printJson(result);
    else if (result.delivered) process.stdout.write(`delivered: the receiver answered HTTP ${result.status}\n`);
    else process.stderr.write(`maestro: not delivered: ${result.error}\n`);
    return result.delivered ? 0 : 1;
  },
};

export const webhookFailuresCommand: Command = {
  name: "webhook failures",
  usage: `
Usage: maestro webhook failures [--webhook WEBHOOK_ID] [--state dead|queued|redelivered] ${CONNECT}

Deliveries given up after the retry window (the dead-letter list); redeliver one with maestro webhook redeliver ID.`,
  async run(argv) {
    const { values } = parseFlags(
      argv,
      { ...CLIENT_FLAGS, webhook: { type: "string" }, state: { type: "string" } },
      webhookFailuresCommand,
    );
    const query = new URLSearchParams();
    if (values.webhook) query.set("webhook", values.webhook);
    if (values.state) query.set("state", values.state);
    const { failures } = await clientFrom(values).get(`/v1/webhooks/failures${query.size ? `?${query}` : ""}`);
    if (values.json) printJson({ failures });
    else
      process.stdout.write(
        failures.length
          ? table(
              ["ID", "WEBHOOK", "INDEX", "KIND", "STATE", "ATTEMPTS", "LAST ERROR"],
              failures.map((f: any) => [f.id, f.webhookId, String(f.ledgerIndex), f.kind, f.state, String(f.attempts), f.lastError]),
            )
          : "no failed deliveries\n",
      );
  },
};

export const webhookRedeliverCommand: Command = {
  name: "webhook redeliver",
  usage: `
Usage: maestro webhook redeliver FAILURE_ID ${CONNECT}

Queues one dead letter for one more delivery, ahead of its subscription's new events.`,
  async run(argv) {
    const { values, positionals } = parseFlags(argv, CLIENT_FLAGS, webhookRedeliverCommand, true);
    const id = requirePositional(positionals, "FAILURE_ID");
    if (id === "all") throw new UsageError("redeliver takes one failure id (see maestro webhook failures)");
    const queued = await clientFrom(values).post(`/v1/webhooks/failures/${encodeURIComponent(id)}/redeliver`, {});
    if (values.json) printJson(queued);
    else process.stdout.write(`queued ledger entry ${queued.ledgerIndex} (${queued.kind}) for webhook ${queued.webhookId}\n`);
  },
};
