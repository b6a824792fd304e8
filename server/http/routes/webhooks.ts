// Webhooks (admin or security): subscribe, remove, send a test, list, and the dead-letter list with redelivery.
// The reads need a token whatever public read says: a subscription names where events go.
import type { Services } from "../../compose.ts";
import { readJson, UUID_PARAM } from "../params.ts";
import { json, type Route } from "../route.ts";

type Webhooks = Pick<Services, "webhooks">;

export const webhookRoutes: readonly Route[] = [
  {
    method: "POST",
    path: "/v1/webhooks",
    roles: ["admin", "security"],
    does: "subscribe a URL to event kinds (the signing secret is answered once)",
    body: "webhook.subscribe",
    status: 201,
    response: json("webhook.created", "the subscription and its signing secret, which no later answer repeats"),
    handler: (s: Webhooks) => async (c) => {
      const created = await s.webhooks.service.add(await readJson(c.req), c.get("principal"));
      s.webhooks.dispatcher.subscriptionsChanged();
      // The secret is in this answer and in no other; say so where a script would look.
      c.header("cache-control", "no-store");
      return c.json(created, 201);
    },
  },
  {
    method: "POST",
    path: "/v1/webhooks/failures/:id/redeliver",
    params: { id: UUID_PARAM },
    roles: ["admin", "security"],
    does: "deliver a dead letter once more",
    response: json("webhook.dead-letter"),
    handler: (s: Webhooks) => async (c) => {
      const queued = await s.webhooks.service.redeliver(c.req.param("id")!);
      s.webhooks.dispatcher.wake();
      return c.json(queued);
    },
  },
  {
    method: "POST",
    path: "/v1/webhooks/:id/remove",
    params: { id: UUID_PARAM },
    roles: ["admin", "security"],
    does: "remove a webhook subscription with a reason",
    body: "webhook.remove",
    response: json("webhook.subscription"),
    handler: (s: Webhooks) => async (c) =>
      c.json(await s.webhooks.service.remove(c.req.param("id")!, await readJson(c.req), c.get("principal"))),
  },
  {
    method: "POST",
    path: "/v1/webhooks/:id/test",
    params: { id: UUID_PARAM },
    roles: ["admin", "security"],
    does: "send a signed test message now",
    response: json("webhook.test-result"),
    handler: (s: Webhooks) => async (c) => c.json(await s.webhooks.service.test(c.req.param("id")!, c.get("principal"))),
  },
  {
    method: "GET",
    path: "/v1/webhooks",
    roles: ["admin", "security"],
    does: "webhook subscriptions and where delivery stands",
    response: json("webhook.list"),
    handler: (s: Webhooks) => async (c) => c.json({ webhooks: await s.webhooks.service.list() }),
  },
  {
    method: "GET",
    path: "/v1/webhooks/failures",
    roles: ["admin", "security"],
    does: "deliveries given up after the retry window",
    query: ["webhook", "state"],
    response: json("webhook.failures"),
    handler: (s: Webhooks) => async (c) =>
      c.json({ failures: await s.webhooks.service.failures({ webhook: c.req.query("webhook"), state: c.req.query("state") }) }),
  },
  {
    method: "GET",
    path: "/v1/webhooks/:id",
    params: { id: UUID_PARAM },
    roles: ["admin", "security"],
    does: "one webhook subscription",
    response: json("webhook.subscription"),
    handler: (s: Webhooks) => async (c) => c.json(await s.webhooks.service.get(c.req.param("id")!)),
  },
];
