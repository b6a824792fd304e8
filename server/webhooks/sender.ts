// One HTTP POST to a receiver, signed the Standard Webhooks way, within the safety limits of docs/governance/webhooks.md.
import http from "node:http";
import https from "node:https";
import { RequestFilteringHttpAgent, RequestFilteringHttpsAgent } from "request-filtering-agent";
import { Webhook } from "standardwebhooks";
import { hostAllowed, type UrlAllowance } from "./url-policy.ts";

export interface SendLimits {
  /** Time to get a connected socket (DNS included). */
  connectTimeoutMs: number;
  /** Time for the whole exchange, from the request to the end of the answer. */
  totalTimeoutMs: number;
  /** Bytes of the answer read at most; a longer answer is cut off and counts as a failure. */
  maxResponseBytes: number;
}

export const DEFAULT_LIMITS: SendLimits = { connectTimeoutMs: 3_000, totalTimeoutMs: 10_000, maxResponseBytes: 64 * 1024 };

export interface SendResult {
  ok: boolean;
  status?: number;
  /** Why it failed, in a few words (never the secret, never the answer's body). */
  error?: string;
}

// Hosts the operator did not list are reached only at public unicast addresses: the agents check the address they
// connect to after DNS, so a name that resolves (or rebinds) to 127.0.0.1, 10.x or 169.254.169.254 is refused.
const publicOnly = {
  "http:": new RequestFilteringHttpAgent({ keepAlive: false }),
  "https:": new RequestFilteringHttpsAgent({ keepAlive: false }),
};

/** Signs `body` with the subscription's secret and POSTs it; a 2xx is success, anything else (a redirect too) is not. */
export function sendSigned(
  url: URL,
  secret: string,
  message: { id: string; timestamp: Date; body: string },
  allowance: UrlAllowance,
  limits: SendLimits = DEFAULT_LIMITS,
): Promise<SendResult> {
  const signature = new Webhook(secret).sign(message.id, message.timestamp, message.body);
  const headers = {
    "content-type": "application/json",
    "user-agent": "maestro-webhooks/1",
    "webhook-id": message.id,
    "webhook-timestamp": String(Math.floor(message.timestamp.getTime() / 1000)),
    "webhook-signature": signature,
  };
  const client = url.protocol === "https:" ? https : http;
  const agent = hostAllowed(url, allowance) ? undefined : publicOnly[url.protocol as "http:" | "https:"];
  return new Promise((resolve) => {
    let settled = false;
    const finish = (result: SendResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(total);
      req.destroy();
      resolve(result);
    };
    const total = setTimeout(
      () => finish({ ok: false, error: `no complete answer within ${limits.totalTimeoutMs} ms` }),
      limits.totalTimeoutMs,
    );
    const req = client.request(url, { method: "POST", headers, agent, timeout: limits.connectTimeoutMs }, (res) => {
      req.setTimeout(0);
      const status = res.statusCode ?? 0;
      let received = 0;
      res.on("data", (chunk: Buffer) => {
        received += chunk.length;
        if (received > limits.maxResponseBytes) finish({ ok: false, status, error: `answer larger than ${limits.maxResponseBytes} bytes` });
      });
      res.on("end", () => {
        if (status >= 200 && status < 300) finish({ ok: true, status });
        else if (status >= 300 && status < 400) finish({ ok: false, status, error: `redirect to elsewhere not followed (HTTP ${status})` });
        else finish({ ok: false, status, error: `HTTP ${status}` });
      });
      res.on("error", (err) => finish({ ok: false, status, error: err.message }));
    });
    req.on("timeout", () => finish({ ok: false, error: `not connected within ${limits.connectTimeoutMs} ms` }));
    req.on("error", (err) => finish({ ok: false, error: shortError(err) }));
    req.end(message.body);
  });
}

function shortError(err: Error & { code?: string }): string {
  const first = err.message.split("\n")[0] ?? "";
  return err.code && !first.includes(err.code) ? `${err.code}: ${first}` : first;
}
