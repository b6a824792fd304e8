// Open-loop load over raw keep-alive sockets: requests are offered at a fixed rate whatever the answers' speed, and
// each is timed from its scheduled send (no coordinated omission).
//
// Why not node:http's client: on this 2-core machine the generator shares the cores with the server and PostgreSQL,
// and node:http's client cost ~100–120 µs of CPU per request there, a third of a core at 3,000/s taken from what is
// measured. Here one prebuilt request's bytes are written and only the status line and Content-Length are parsed:
// ~50 µs. The bench prints the generator's own CPU per request beside each row.
import { connect, type Socket } from "node:net";
import { cpuUsage } from "node:process";

export interface OpenLoopStats {
  latencies: number[];
  /** Requests answered with a status other than 200, refused, or cut off. */
  errors: number;
  /** 200 answers whose body says `"allow":true`. */
  allows: number;
  /** The generator's own lateness in sending (charged to the server in `latencies`). */
  lags: number[];
  /** The generator's own CPU (user + system) per request, µs. */
  generatorCpuUs: number;
}

interface Connection {
  socket: Socket;
  buffered: Buffer;
  /** The server closed it (or it failed): it carries nothing more. */
  closed: boolean;
  /** Called with the status and body of the answer the connection is waiting for. */
  answer?: (status: number, body: string) => void;
}

export function postRequest(url: URL, headers: Record<string, string>, body: string): Buffer {
  const lines = [`POST ${url.pathname} HTTP/1.1`, `Host: ${url.host}`, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
  lines.push(`Content-Length: ${Buffer.byteLength(body)}`, "Connection: keep-alive");
  return Buffer.from(`${lines.join("\r\n")}\r\n\r\n${body}`);
}

/** Opens `count` keep-alive connections; they are closed by `close()` or by the server. */
export async function openConnections(url: URL, count: number): Promise<{ connections: Connection[]; close(): void }> {
  const connections = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<Connection>((resolve, reject) => {
          let connected = false;
          const socket = connect(Number(url.port), url.hostname, () => {
            connected = true;
            resolve(conn);
          });
          const conn: Connection = { socket, buffered: Buffer.alloc(0), closed: false };
          socket.setNoDelay(true);
          // After connecting, an error is followed by 'close', which fails the request in flight.
          socket.on("error", (err) => connected || reject(err));
          socket.on("data", (chunk: Buffer) => readAnswers(conn, chunk));
          // A connection the server closes fails the request it carried, instead of leaving it unanswered.
          socket.on("close", () => {
            conn.closed = true;
            conn.answer?.(0, "");
          });
        }),
    ),
  );
  return { connections, close: () => connections.forEach((c) => c.socket.destroy()) };
}

function readAnswers(conn: Connection, chunk: Buffer): void {
  conn.buffered = conn.buffered.length > 0 ? Buffer.concat([conn.buffered, chunk]) : chunk;
  for (;;) {
    const headEnd = conn.buffered.indexOf("\r\n\r\n");
    if (headEnd < 0) return;
    const head = conn.buffered.toString("latin1", 0, headEnd);
    const length = /\r\ncontent-length: *(\d+)/i.exec(head);
    if (!length) {
      // Only Content-Length framing is read here; anything else fails loudly rather than desynchronizing.
      conn.socket.destroy(new Error(`answer without Content-Length: ${head.split("\r\n")[0]}`));
      return;
    }
    const end = headEnd + 4 + Number(length[1]);
    if (conn.buffered.length < end) return;
    const status = Number(head.slice(9, 12));
    const body = conn.buffered.toString("utf8", headEnd + 4, end);
    conn.buffered = conn.buffered.subarray(end);
    const answer = conn.answer;
    conn.answer = undefined;
    answer?.(status, body);
  }
}

/** Offers `rate` requests/s for `durationMs` over the connections (each carries one request at a time). */
export async function offerLoad(connections: Connection[], request: Buffer, rate: number, durationMs: number): Promise<OpenLoopStats> {
  const stats: OpenLoopStats = { latencies: [], errors: 0, allows: 0, lags: [], generatorCpuUs: 0 };
  const idle = [...connections];
  const backlog: number[] = [];
  let outstanding = 0;
  let finished: () => void = () => {};
  const allAnswered = new Promise<void>((resolve) => (finished = resolve));
  let offering = true;

  const send = (conn: Connection, scheduled: number) => {
    outstanding++;
    conn.answer = (status, body) => {
      stats.latencies.push(performance.now() - scheduled);
      if (status !== 200) stats.errors++;
      else if (body.includes('"allow":true')) stats.allows++;
      outstanding--;
      const next = backlog.shift();
      if (status === 0) {
        // Closed: this connection is gone; what waits goes to the others.
        if (next !== undefined) backlog.unshift(next);
      } else if (next !== undefined) send(conn, next);
      else idle.push(conn);
      if (!offering && outstanding === 0) finished();
    };
    conn.socket.write(request);
  };

  const cpuBefore = cpuUsage();
  const start = performance.now();
  let sent = 0;
  while (performance.now() - start < durationMs) {
    const due = Math.floor(((performance.now() - start) / 1000) * rate);
    for (; sent < due; sent++) {
      const scheduled = start + (sent / rate) * 1000;
      stats.lags.push(performance.now() - scheduled);
      let conn = idle.pop();
      while (conn?.closed) conn = idle.pop();
      if (conn) send(conn, scheduled);
      else backlog.push(scheduled);
    }
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  offering = false;
  if (outstanding > 0) await allAnswered;
  // Requests never sent because every connection closed count as errors.
  stats.errors += backlog.length;
  const cpu = cpuUsage(cpuBefore);
  stats.generatorCpuUs = (cpu.user + cpu.system) / Math.max(1, sent);
  return stats;
}
