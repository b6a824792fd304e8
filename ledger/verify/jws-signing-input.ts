// The RFC 7515 signing input of a JWS: ASCII(header || "." || base64url(payload)), §5.2 step 8, written straight into
// one byte array. Going through strings (base64url text, then its bytes) made three copies of the payload; in the
// console's verifier worker, where Buffer is a JavaScript shim, that was ~0.5 s of a 10,000-event export's
// verification (docs/benchmarks.md, the console's profile), and on Node it is ~2x faster for a 16 MB export. For one
// event's ~1 KB Node's native encoder is faster still (~1 µs against ~5), so Node's event loop keeps that path
// (event-signature.ts, bufferSigningInput).

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const CODES = Uint8Array.from(ALPHABET, (c) => c.charCodeAt(0));

/** Length of base64url(n bytes) without padding. */
function encodedLength(n: number): number {
  return Math.floor(n / 3) * 4 + [0, 2, 3][n % 3]!;
}

/**
 * ASCII(`${header}.${base64url(payload)}`), base64url without padding (RFC 7515 §2). `header` is already base64url
 * text; a character outside ASCII is refused, since it could not have come from a compact JWS.
 */
export function jwsSigningInput(header: string, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(header.length + 1 + encodedLength(payload.length));
  for (let i = 0; i < header.length; i++) {
    const c = header.charCodeAt(i);
    if (c > 0x7f) throw new Error("JWS header is not ASCII");
    out[i] = c;
  }
  let o = header.length;
  out[o++] = 0x2e; // "."
  // Every index below is inside its array by the loop bounds; the `!`s keep the per-byte loop free of checks.
  const whole = payload.length - (payload.length % 3);
  for (let i = 0; i < whole; i += 3) {
    const n = (payload[i]! << 16) | (payload[i + 1]! << 8) | payload[i + 2]!;
    out[o] = CODES[n >>> 18]!;
    out[o + 1] = CODES[(n >>> 12) & 63]!;
    out[o + 2] = CODES[(n >>> 6) & 63]!;
    out[o + 3] = CODES[n & 63]!;
    o += 4;
  }
  const rest = payload.length - whole;
  if (rest > 0) {
    const n = (payload[whole]! << 16) | (rest === 2 ? payload[whole + 1]! << 8 : 0);
    out[o] = CODES[n >>> 18]!;
    out[o + 1] = CODES[(n >>> 12) & 63]!;
    if (rest === 2) out[o + 2] = CODES[(n >>> 6) & 63]!;
  }
  return out;
}
