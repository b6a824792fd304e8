// The body limit over a real node-server socket: declared lengths are judged by the header, chunked bodies by counting.
import { request } from "node:http";
import type { AddressInfo } from "node:net";
import { serve, type ServerType } from "@hono/node-server";
import { Hono } from "hono";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { limitBody } from "./body-limit.ts";
import { errorResponse } from "./error-handler.ts";

const LIMIT = 100;
let server: ServerType;
let port: number;

beforeAll(async () => {
  const app = new Hono();
  app.onError(errorResponse);
  app.post("/echo", limitBody(LIMIT), async (c) => c.json({ got: ((await c.req.json()) as { s: string }).s.length }));
  await new Promise<void>((resolve) => {
    server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, () => resolve());
  });
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** POSTs `body`, with a Content-Length header or chunked (no length). */
function post(body: string, chunked: boolean): Promise<{ status: number; json: { got?: number; error?: { code: string } } }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { "content-type": "application/json" };
    if (!chunked) headers["content-length"] = Buffer.byteLength(body);
    const req = request({ host: "127.0.0.1", port, method: "POST", path: "/echo", headers }, (res) => {
      let text = "";
      res.on("data", (d: Buffer) => (text += d));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(text) }));
    });
    req.on("error", reject);
    if (chunked) for (let i = 0; i < body.length; i += 20) req.write(body.slice(i, i + 20));
    else req.write(body);
    req.end();
  });
}

const bodyOf = (bytes: number) => JSON.stringify({ s: "x".repeat(bytes - 8) }); // {"s":""} is 8 bytes

describe("limitBody", () => {
  it.each([false, true])("accepts a body at the limit (chunked: %s) and the route reads all of it", async (chunked) => {
    expect(Buffer.byteLength(bodyOf(LIMIT))).toBe(LIMIT);
    expect(await post(bodyOf(LIMIT), chunked)).toEqual({ status: 200, json: { got: LIMIT - 8 } });
  });

  it.each([false, true])("refuses one byte more with 413 payload_too_large (chunked: %s)", async (chunked) => {
    const res = await post(bodyOf(LIMIT + 1), chunked);
    expect(res.status).toBe(413);
    expect(res.json.error?.code).toBe("payload_too_large");
  });
});
