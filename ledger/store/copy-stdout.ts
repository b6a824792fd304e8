// COPY … TO STDOUT on the embedded store, read as the wire protocol carries it: the COPY data without a file between.
//
// COPY to PGlite's '/dev/blob' went through the emulated file system: one JavaScript write call and one copied chunk
// per row, then a Blob of those chunks read back into one buffer. On a 50,000-event verify that path cost more CPU
// than PostgreSQL's own work producing the rows. TO STDOUT sends the same bytes as CopyData messages through
// PostgreSQL's 8 kB send buffer, so JavaScript sees a few large chunks. The messages are the frontend/backend
// protocol's (https://www.postgresql.org/docs/current/protocol-message-formats.html); anything but the exchange a
// simple-query COPY TO answers with is refused, not skipped.
import { Buffer } from "node:buffer";

/** A simple-query message ('Q', length, the SQL text NUL-terminated): one statement, no parameters. */
export function simpleQuery(sql: string): Uint8Array {
  const text = Buffer.from(sql, "utf8");
  if (text.includes(0)) throw new Error("a query must not contain NUL");
  const message = Buffer.alloc(1 + 4 + text.length + 1);
  message[0] = 0x51; // 'Q'
  message.writeInt32BE(4 + text.length + 1, 1);
  text.copy(message, 5);
  return message;
}

/** What a COPY TO STDOUT answered: its data as one buffer, and the row count its command tag gave. */
export interface CopyOutput {
  data: Uint8Array;
  rows: number;
}

/** An ErrorResponse from the backend, with its SQLSTATE (field C) and message (field M). */
export class CopyQueryError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = "CopyQueryError";
    this.code = code;
  }
}

/**
 * Reads the backend's answer to one COPY … TO STDOUT simple query: CopyOutResponse ('H'), CopyData ('d')…, CopyDone
 * ('c'), CommandComplete ('C', "COPY n"), ReadyForQuery ('Z'). Notices ('N') and parameter status ('S') may come
 * between and are passed over; an ErrorResponse ('E') throws. Any other message, or bytes after ReadyForQuery, throws.
 *
 * The data is gathered in place: each CopyData body moves down over the message headers before it, so `answer` is
 * overwritten and the result is a view of it (a second buffer of a page's size, per page, was measurable).
 */
export function readCopyOut(answer: Uint8Array): CopyOutput {
  const bytes = Buffer.from(answer.buffer, answer.byteOffset, answer.byteLength);
  let size = 0; // bytes of data gathered at the start of `bytes`
  let stage: "start" | "data" | "done" | "complete" = "start";
  let rows = -1;
  let error: CopyQueryError | null = null;
  let at = 0;
  while (at < bytes.length) {
    if (at + 5 > bytes.length) throw new Error("COPY answer: a message header is cut short");
    const type = bytes[at]!;
    const length = bytes.readInt32BE(at + 1);
    const end = at + 1 + length;
    if (length < 4 || end > bytes.length) throw new Error(`COPY answer: a message of length ${length} does not fit`);
    const body = bytes.subarray(at + 5, end);
    at = end;
    switch (type) {
      case 0x45: // 'E'
        error = errorOf(body);
        break;
      case 0x4e: // 'N'
      case 0x53: // 'S'
        break;
      case 0x48: // 'H'
        if (stage !== "start") throw new Error("COPY answer: a second CopyOutResponse");
        stage = "data";
        break;
      case 0x64: // 'd'
        if (stage !== "data") throw new Error("COPY answer: CopyData outside a COPY");
        // Never past the message being read: what it overwrites was read already.
        bytes.copyWithin(size, at - body.length, at);
        size += body.length;
        break;
      case 0x63: // 'c'
        if (stage !== "data") throw new Error("COPY answer: CopyDone outside a COPY");
        stage = "done";
        break;
      case 0x43: {
        // 'C'
        const tag = body.toString("latin1", 0, Math.max(0, body.length - 1));
        const match = /^COPY (\d+)$/.exec(tag);
        if (stage !== "done" || !match) throw new Error(`COPY answer: unexpected command tag ${JSON.stringify(tag)}`);
        rows = Number(match[1]);
        stage = "complete";
        break;
      }
      case 0x5a: // 'Z'
        if (at !== bytes.length) throw new Error("COPY answer: bytes after ReadyForQuery");
        if (error) throw error;
        if (stage !== "complete") throw new Error("COPY answer: ReadyForQuery before the COPY completed");
        return { data: bytes.subarray(0, size), rows };
      default:
        throw new Error(`COPY answer: unexpected message ${JSON.stringify(String.fromCharCode(type))}`);
    }
  }
  if (error) throw error;
  throw new Error("COPY answer: no ReadyForQuery");
}

/** Fields of an ErrorResponse: a type byte, a NUL-terminated string, …, a final NUL. */
function errorOf(body: Buffer): CopyQueryError {
  const fields = new Map<string, string>();
  for (let at = 0; at < body.length && body[at] !== 0;) {
    const end = body.indexOf(0, at + 1);
    if (end < 0) break;
    fields.set(String.fromCharCode(body[at]!), body.toString("utf8", at + 1, end));
    at = end + 1;
  }
  return new CopyQueryError(fields.get("C") ?? "XX000", fields.get("M") ?? "the COPY failed");
}
