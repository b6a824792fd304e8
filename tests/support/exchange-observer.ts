// Subscribes to the exchanges every app built by createApp publishes (server/http/exchange-channel.ts) and checks each
// against the served OpenAPI document (openapi-check.ts), handing what it finds to `report`.
import { subscribe, unsubscribe } from "node:diagnostics_channel";
import { EXCHANGE_CHANNEL, type HttpExchange } from "../../server/http/exchange-channel.ts";
import { INVALID_ON_PURPOSE_HEADER, invalidOnPurposeReason } from "./invalid-on-purpose.ts";

/** Names the file a child process appends its problems to (check-child-exchanges.mjs). */
export const CHILD_PROBLEMS_ENV = "MAESTRO_TEST_EXCHANGE_PROBLEMS";

/** Where check-child-exchanges.mjs leaves its observer, for a nested vitest's setup file to stop it. */
export const CHILD_OBSERVER = Symbol.for("maestro.test.child-exchange-observer");

export interface ExchangeObserver {
  /** Resolves once every exchange seen so far is checked. */
  settled(): Promise<void>;
  stop(): void;
}

const isJson = (headers: Headers) => /^application\/(?:[\w.+-]+\+)?json\b/.test(headers.get("content-type") ?? "");

function parse(text: string): unknown {
  if (text === "") return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

async function check(
  request: Request,
  invalidOnPurpose: string | undefined,
  status: number,
  responseHeaders: Headers,
  responseText: Promise<string> | undefined,
) {
  // Loaded on the first exchange: a process that serves none (most CLI runs) never compiles the document.
  const { exchangeProblems } = await import("./openapi-check.ts");
  const url = new URL(request.url);
  return exchangeProblems({
    method: request.method,
    path: `${url.pathname}${url.search}`,
    headers: Object.fromEntries([...request.headers].filter(([name]) => name !== INVALID_ON_PURPOSE_HEADER)),
    body: request.method === "GET" || request.method === "HEAD" ? undefined : parse(await request.text()),
    status,
    responseHeaders,
    responseBody: responseText === undefined ? undefined : parse(await responseText),
    invalidOnPurpose,
  });
}

export function observeExchanges(report: (problems: string[]) => void): ExchangeObserver {
  const pending = new Set<Promise<void>>();
  const onExchange = (message: unknown): void => {
    const { request, response } = message as HttpExchange;
    // The copy is taken here, before the client reads the body. Event streams and tiles are not read: an unread copy
    // of a stream buffers it whole.
    const text = isJson(response.headers) ? response.clone().text() : undefined;
    // Read now: a whileInvalidOnPurpose window is closed by the time the check runs.
    const marked = invalidOnPurposeReason(request.headers);
    const done = check(request, marked, response.status, new Headers(response.headers), text).then(
      (problems) => problems.length > 0 && report(problems),
      (err: unknown) => report([`${request.method} ${request.url}: the exchange could not be checked: ${String(err)}`]),
    );
    const tracked = done.then(() => {
      pending.delete(tracked);
    });
    pending.add(tracked);
  };
  subscribe(EXCHANGE_CHANNEL, onExchange);
  return {
    async settled() {
      while (pending.size > 0) await Promise.all(pending);
    },
    stop: () => unsubscribe(EXCHANGE_CHANNEL, onExchange),
  };
}
