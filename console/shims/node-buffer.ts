// node:buffer for the browser bundle: feross's buffer (the one bundlers use), plus the base64url encoding (RFC 4648 §5)
// Node's Buffer has and it lacks. Decoding accepts both alphabets, as Node's does; the verifier re-encodes to be strict.
// The verifier's hot encodings go to the browser's native code, not the package's JavaScript codecs (each showed in the
// profile of a 10,000-event verification, docs/benchmarks.md): UTF-8 through TextEncoder/TextDecoder (replacing bad
// sequences as Node does, keeping a BOM), base64 through Uint8Array.fromBase64/toBase64, ASCII text through TextEncoder.
import { Buffer } from "buffer";

type From = (value: unknown, encoding?: unknown, length?: unknown) => Buffer;
const from = Buffer.from.bind(Buffer) as unknown as From;
const utf8 = (encoding: unknown) => encoding === undefined || encoding === "utf8" || encoding === "utf-8";
const base64 = (encoding: unknown): encoding is "base64" | "base64url" => encoding === "base64" || encoding === "base64url";
const oneBytePerChar = (encoding: unknown) => encoding === "latin1" || encoding === "binary" || encoding === "ascii";
const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { ignoreBOM: true });

/** A Buffer over the bytes, not a copy of them. */
const wrap = (bytes: Uint8Array): Buffer => from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

/** The TC39 base64 methods (Chromium ≥ 140, Firefox ≥ 133, Safari ≥ 18.2); older browsers keep the package's codec. */
type Alphabet = { alphabet?: "base64" | "base64url"; omitPadding?: boolean };
const native = Uint8Array as unknown as { fromBase64?: (text: string, options: Alphabet) => Uint8Array };
const toBase64 = (Uint8Array.prototype as unknown as { toBase64?: (options: Alphabet) => string }).toBase64;

/**
 * base64 or base64url text to bytes, as Node decodes it. The native decoder takes the text's own alphabet with or
 * without padding and skips only ASCII whitespace, so whatever it accepts decodes to the bytes Node's would give; what
 * it refuses (junk, the other alphabet, a stray "=") goes to the package's lenient decoder, which skips junk as Node's does.
 */
function decodeBase64(text: string, alphabet: "base64" | "base64url"): Buffer {
  if (native.fromBase64) {
    try {
      return wrap(native.fromBase64(text, { alphabet }));
    } catch {}
  }
  return from(text, "base64");
}

/**
 * Text whose every character is one byte (latin1, ascii): an all-ASCII string's UTF-8 is those very bytes, and encodeInto
 * fills a buffer of the string's length with all of it only when every character is ASCII (one byte each). Anything else
 * goes to the package's encoder. encodeInto, not encode: Blink's encode of a 22 MB string was slower by half again.
 */
function encodeOneBytePerChar(text: string, encoding: string): Buffer {
  const bytes = new Uint8Array(text.length);
  const { read, written } = encoder.encodeInto(text, bytes);
  return read === text.length && written === text.length ? wrap(bytes) : from(text, encoding);
}

(Buffer as unknown as { from: From }).from = (value, encoding, length) => {
  if (typeof value !== "string") return from(value, encoding, length);
  if (base64(encoding)) return decodeBase64(value, encoding);
  if (utf8(encoding)) return wrap(encoder.encode(value));
  if (oneBytePerChar(encoding)) return encodeOneBytePerChar(value, encoding as string);
  return from(value, encoding);
};

const toString = Buffer.prototype.toString;
Buffer.prototype.toString = function (this: Buffer, encoding?: string, start?: number, end?: number): string {
  const whole = start === undefined && end === undefined;
  if (utf8(encoding)) return decoder.decode(whole ? this : this.subarray(start ?? 0, end));
  if (base64(encoding) && toBase64 && whole)
    return toBase64.call(this, encoding === "base64url" ? { alphabet: "base64url", omitPadding: true } : {});
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
