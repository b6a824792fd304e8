// The bytes the export signature covers: the file's UTF-8 up to its last member, closed with "}" (verify-evidence.ts).
// Written straight into one buffer with encodeInto rather than by encode() of a sliced-and-joined 16 MB string: in
// Chromium's worker ("Verify in this browser") encode() of a 16 MB export took several times encodeInto's time, with a
// copy of the text on the way (docs/benchmarks.md, the console's profile); Node is as fast either way.

const encoder = new TextEncoder();
const CLOSE = 0x7d; // "}"
/** Room for a few non-ASCII characters (an export has a handful) before the buffer must grow. */
const SLACK = 1024;

/** UTF-8 of text[0, end) followed by "}", exactly as TextEncoder.encode(`${text.slice(0, end)}}`) gives it. */
export function exportSignedBytes(text: string, end: number): Uint8Array {
  const source = text.slice(0, end);
  let out = new Uint8Array(source.length + SLACK + 1);
  let read = 0;
  let written = 0;
  for (;;) {
    // encodeInto stops before a character that does not fit, never in its middle: the rest is encoded after growing.
    const r = encoder.encodeInto(read === 0 ? source : source.slice(read), out.subarray(written, out.length - 1));
    read += r.read;
    written += r.written;
    if (read === source.length) break;
    const grown = new Uint8Array(written + (source.length - read) * 3 + 1); // 3 bytes per UTF-16 unit at most
    grown.set(out.subarray(0, written));
    out = grown;
  }
  out[written] = CLOSE;
  return out.subarray(0, written + 1);
}
