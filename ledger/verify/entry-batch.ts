// A batch of entries for a check worker, packed into one buffer that is moved to the worker, not copied.
//
// Posting entry objects made the main thread structure-clone every field of every entry (and the worker rebuild
// them), and each bytea field had to be its own copied ArrayBuffer, or the clone would have sent the whole page it
// was read from. Packed, a batch is one memory copy out and one transfer; the worker reads views of it.
//
// Layout: u32 count, u32 bytes used (the buffer is sized by a UTF-8 bound and not trimmed: a trim would be a second
// copy), then per entry: f64 index, u8 flags, then six fields each as i32 length (-1: absent) and bytes:
// leaf hash, canonical bytes, signature (UTF-8), and, with the columns flag, event_id, kind, subject (UTF-8).
import { Buffer } from "node:buffer";
import type { VerifyEntry } from "./types.ts";

const HAS_COLUMNS = 1;
const FIELDS = 6;

/** Packs `entries` into one ArrayBuffer, to be sent in a postMessage transfer list. */
export function packEntries(entries: VerifyEntry[]): ArrayBuffer {
  let bound = 8;
  for (const e of entries) {
    bound += 8 + 1 + FIELDS * 4 + byteSize(e.leafHash) + byteSize(e.canonical) + textBound(e.signature);
    if (e.columns) bound += textBound(e.columns.eventId) + textBound(e.columns.kind) + textBound(e.columns.subject);
  }
  const out = Buffer.allocUnsafeSlow(bound);
  let at = out.writeUInt32LE(entries.length, 0) + 4;
  const bytes = (value: unknown) => {
    if (!(value instanceof Uint8Array)) return out.writeInt32LE(-1, at);
    at = out.writeInt32LE(value.length, at);
    out.set(value, at);
    return at + value.length;
  };
  const text = (value: unknown) => {
    if (typeof value !== "string") return out.writeInt32LE(-1, at);
    const written = out.write(value, at + 4, "utf8");
    out.writeInt32LE(written, at);
    return at + 4 + written;
  };
  for (const e of entries) {
    at = out.writeDoubleLE(e.index, at);
    at = out.writeUInt8(e.columns ? HAS_COLUMNS : 0, at);
    at = bytes(e.leafHash);
    at = bytes(e.canonical);
    at = text(e.signature);
    at = text(e.columns?.eventId);
    at = text(e.columns?.kind);
    at = text(e.columns?.subject);
  }
  out.writeUInt32LE(at, 4);
  return out.buffer as ArrayBuffer;
}

/** The entries packEntries packed, their byte fields as views of `packed`. An absent field comes back as it went. */
export function unpackEntries(packed: ArrayBuffer): VerifyEntry[] {
  const data = Buffer.from(packed);
  const count = data.readUInt32LE(0);
  const used = data.readUInt32LE(4);
  if (used > data.length) throw new Error("packed entries: the buffer is shorter than its contents");
  let at = 8;
  const length = () => {
    const n = data.readInt32LE(at);
    at += 4;
    if (n < -1) throw new Error(`packed entries: a field of length ${n}`);
    if (n > used - at) throw new Error("packed entries: a field runs past the end");
    return n;
  };
  const bytes = (): Uint8Array | undefined => {
    const n = length();
    if (n < 0) return undefined;
    at += n;
    return new Uint8Array(packed, at - n, n);
  };
  const text = (): string | null => {
    const n = length();
    if (n < 0) return null;
    at += n;
    return data.toString("utf8", at - n, at);
  };
  const entries: VerifyEntry[] = [];
  for (let i = 0; i < count; i++) {
    const index = data.readDoubleLE(at);
    const flags = data.readUInt8(at + 8);
    at += 9;
    // A missing field reaches the checks as it was sent (undefined), which they report like any other wrong value.
    const entry = { index, leafHash: bytes(), canonical: bytes(), signature: text() ?? undefined } as VerifyEntry;
    const eventId = text();
    const kind = text();
    const subject = text();
    if (flags & HAS_COLUMNS) entry.columns = { eventId: eventId as string, kind: kind as string, subject };
    entries.push(entry);
  }
  if (at !== used) throw new Error(`packed entries: ${used - at} bytes after the last entry`);
  return entries;
}

function byteSize(value: unknown): number {
  return value instanceof Uint8Array ? value.length : 0;
}

/** UTF-8 takes at most 3 bytes per UTF-16 code unit. */
function textBound(value: unknown): number {
  return typeof value === "string" ? value.length * 3 : 0;
}
