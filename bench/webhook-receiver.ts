// A loopback webhook receiver for the benchmarks: answers 204 and records when each message arrived.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

export interface BenchReceiver {
  url: string;
  /** Arrival time (epoch ms) and the body's ledger event time, per message. */
  arrivals: Array<{ at: number; eventTime: number }>;
  close(): Promise<void>;
}

export async function startBenchReceiver(): Promise<BenchReceiver> {
  const arrivals: BenchReceiver["arrivals"] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const at = Date.now();
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
        if (body.data?.entry) arrivals.push({ at, eventTime: Date.parse(body.data.entry.event.time) });
      } catch {}
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    arrivals,
    close: () => new Promise((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
}

/** Subscribes `count` webhooks to every event kind; returns nothing, throws on a refusal. */
export async function subscribeAll(baseUrl: string, token: string, receiverUrl: string, count: number, events: string[]): Promise<void> {
  for (let i = 0; i < count; i++) {
    const res = await fetch(`${baseUrl}/v1/webhooks`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ url: receiverUrl, events }),
    });
    if (res.status !== 201) throw new Error(`webhook subscription failed: ${res.status} ${await res.text()}`);
  }
}
