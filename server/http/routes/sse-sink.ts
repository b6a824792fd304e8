// Where a Server-Sent Events stream writes: straight to Node's response when the server runs on @hono/node-server,
// else through hono's web-stream helper (app.request in tests, other runtimes).
//
// Issue 14: through hono's stream every chunk passed a TextEncoder, a TransformStream and node-server's reader loop
// per reader; with 200 live readers those layers cost the decisions CPU. Node's response takes the shared bytes as
// they are, and its write() returning false is the back-pressure signal ('drain' when the client has caught up).
import type { ServerResponse } from "node:http";
import type { Context } from "hono";
import { streamSSE } from "hono/streaming";
import { RESPONSE_ALREADY_SENT } from "@hono/node-server/utils/response";

export interface SseSink {
  /** Resolves true once the client has taken the chunk (or the socket buffers it), false if the client went first. */
  write(chunk: Uint8Array | string): Promise<boolean>;
  /** True once the client has gone. */
  readonly gone: boolean;
  /** Called once, when the client goes. */
  onGone(callback: () => void): void;
  /** Queues a last chunk behind what the client has not taken, then ends; a client that never reads is cut off after `graceMs`. */
  finish(last: string, graceMs: number): void;
}

const SSE_HEADERS = {
  "content-type": "text/event-stream",
  "cache-control": "no-cache",
  connection: "keep-alive",
};

/** Answers `c` with an SSE stream that `run` writes; resolves the Response hono should return. */
export function respondWithSse(c: Context, run: (sink: SseSink) => Promise<void>): Response {
  const outgoing = (c.env as { outgoing?: ServerResponse } | undefined)?.outgoing;
  if (outgoing) {
    outgoing.writeHead(200, SSE_HEADERS);
    outgoing.flushHeaders();
    const sink = nodeSink(outgoing);
    run(sink)
      .catch((err: unknown) => {
        console.error(JSON.stringify({ level: "error", msg: "ledger stream failed", error: String(err) }));
        outgoing.destroy();
      })
      .finally(() => {
        if (!outgoing.writableEnded && !outgoing.destroyed) outgoing.end();
      });
    // node-server writes nothing for this response: the stream above owns the socket's response.
    return RESPONSE_ALREADY_SENT;
  }
  return streamSSE(c, async (stream) => {
    let finished: Promise<void> | undefined;
    const callbacks: Array<() => void> = [];
    stream.onAbort(() => callbacks.forEach((cb) => cb()));
    await run({
      write: (chunk) => stream.write(chunk).then(() => !stream.aborted),
      get gone() {
        return stream.aborted;
      },
      onGone: (cb) => callbacks.push(cb),
      finish(last) {
        finished = stream.write(last).then(() => undefined);
      },
    });
    // streamSSE closes the stream when this returns; the last chunk is queued ahead of the close.
    void finished;
  });
}

function nodeSink(res: ServerResponse): SseSink {
  let gone = false;
  const callbacks: Array<() => void> = [];
  res.once("close", () => {
    gone = true;
    for (const cb of callbacks) cb();
  });
  return {
    write(chunk) {
      if (gone || res.writableEnded) return Promise.resolve(false);
      if (res.write(chunk)) return Promise.resolve(true);
      return new Promise<boolean>((resolve) => {
        const done = (taken: boolean) => () => {
          res.off("drain", onDrain);
          res.off("close", onClose);
          resolve(taken);
        };
        const onDrain = done(true);
        const onClose = done(false);
        res.once("drain", onDrain);
        res.once("close", onClose);
      });
    },
    get gone() {
      return gone;
    },
    onGone: (cb) => callbacks.push(cb),
    finish(last, graceMs) {
      if (gone || res.writableEnded) return;
      res.end(last);
      // A client that never reads again would hold its socket and our queued bytes for good.
      setTimeout(() => res.destroy(), graceMs).unref();
    },
  };
}
