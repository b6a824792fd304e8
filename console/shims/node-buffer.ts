// node:buffer for the browser bundle: feross's buffer (the one bundlers use), plus the base64url encoding (RFC 4648 §5)
// Node's Buffer has and it lacks. Decoding accepts both alphabets, as Node's does; the verifier re-encodes to be strict.
// UTF-8 goes through the browser's native TextEncoder/TextDecoder (replacing bad sequences as Node does, keeping a
// BOM): the package's own JavaScript codec showed in the profile of a 10,000-event verification.
import { Buffer } from "buffer";

type From = (value: unknown, encoding?: unknown, length?: unknown) => Buffer;
const from = Buffer.from.bind(Buffer) as unknown as From;
const utf8 = (encoding: unknown) => encoding === undefined || encoding === "utf8" || encoding === "utf-8";
const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { ignoreBOM: true });

(Buffer as unknown as { from: From }).from = (value, encoding, length) => {
  if (typeof value !== "string") return from(value, encoding, length);
  if (encoding === "base64url") return from(value, "base64");
  if (utf8(encoding)) {
    const bytes = encoder.encode(value);
    return from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  return from(value, encoding);
};

const toString = Buffer.prototype.toString;
Buffer.prototype.toString = function (this: Buffer, encoding?: string, start?: number, end?: number): string {
  if (utf8(encoding)) return decoder.decode(start === undefined && end === undefined ? this : this.subarray(start ?? 0, end));
  if (encoding !== "base64url") return toString.call(this, encoding as BufferEncoding, start, end);
  return toString.call(this, "base64", start, end).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
};

const strictUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
/** buffer.isUtf8 (Node ≥ 19.4): whether the bytes are well-formed UTF-8. */
export function isUtf8(bytes: Uint8Array): boolean {
  try {
    strictUtf8.decode(bytes);
    return true;
  } catch {
    return false;
  }
}

export { Buffer };
export default { Buffer, isUtf8 };
