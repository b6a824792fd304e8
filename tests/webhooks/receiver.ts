// A real webhook receiver on loopback: verifies every message with the standardwebhooks library, as receivers do.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Webhook } from "standardwebhooks";

export interface Received {
  id: string;
  type: string;
  ledgerIndex?: number;
  body: any;
}

export interface Receiver {
  url: string;
  port: number;
  /** Messages that verified and were processed (answered 204 if the sender still listened), in arrival order. */
  accepted: Received[];
  /** Every message id that arrived, verified or not, acknowledged or not. */
  arrivals: string[];
  /** Messages whose signature did not verify (must stay empty). */
  rejected: string[];
  secret: string;
  /** 503 to everything while true (a receiver that is down for a while). */
  failing: boolean;
  /** Called before answering; a test can hold a delivery in flight here. */
  onArrival?: (msg: Received) => Promise<void>;
  waitFor(count: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export async function startReceiver(port = 0): Promise<Receiver> {
  const receiver: Receiver = {
    url: "",
    port: 0,
    accepted: [],
    arrivals: [],
    rejected: [],
    secret: "",
    failing: false,
    async waitFor(count, timeoutMs = 20_000) {
      const until = Date.now() + timeoutMs;
      while (receiver.accepted.length < count) {
        if (Date.now() > until) throw new Error(`receiver has ${receiver.accepted.length} of ${count} messages after ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", async () => {
      const body = Buffer.concat(chunks).toString("utf8");
      const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
      receiver.arrivals.push(headers["webhook-id"] ?? "");
      if (receiver.failing) {
        res.writeHead(503).end();
        return;
      }
      let parsed: any;
      try {
        parsed = new Webhook(receiver.secret).verify(body, headers);
      } catch {
        receiver.rejected.push(headers["webhook-id"] ?? "");
        res.writeHead(400).end();
        return;
      }
      const msg = { id: headers["webhook-id"]!, type: parsed.type ?? "slack", ledgerIndex: parsed.data?.ledgerIndex, body: parsed };
      await receiver.onArrival?.(msg);
      // Processed, whether or not the sender is still there to hear the answer.
      receiver.accepted.push(msg);
      if (!res.destroyed) res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  receiver.port = (server.address() as AddressInfo).port;
  receiver.url = `http://127.0.0.1:${receiver.port}/hook`;
  return receiver;
}
