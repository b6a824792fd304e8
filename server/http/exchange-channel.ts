// Publishes every HTTP exchange the app answers on a Node diagnostics channel, whoever the client is (app.request,
// a real socket, the CLI or a hook in another process). The test suite subscribes and holds each exchange to the served
// OpenAPI document; with no subscriber (production) the middleware is one boolean check and copies nothing.
import { channel } from "node:diagnostics_channel";
import type { MiddlewareHandler } from "hono";

export const EXCHANGE_CHANNEL = "maestro:http:exchange";

/**
 * One answered request. `request` is a copy taken before any handler read the body, so its body is the subscriber's
 * to read. `response` is the one the client gets: a subscriber that reads its body must `clone()` it synchronously,
 * inside its handler, and should not for streams (an unread copy of an event stream buffers without end).
 */
export interface HttpExchange {
  request: Request;
  response: Response;
}

const exchanges = channel(EXCHANGE_CHANNEL);

export const publishExchanges: MiddlewareHandler = async (c, next) => {
  if (!exchanges.hasSubscribers) return next();
  const request = c.req.raw.clone();
  await next();
  exchanges.publish({ request, response: c.res } satisfies HttpExchange);
};
