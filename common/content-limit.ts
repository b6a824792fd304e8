// The bound on `content` the server takes (a call's write, an outcome's read), shared with the clients that send it.

/** Largest `content` the server takes, in UTF-8 bytes (a big lock file fits); past it the request is refused with 413. */
export const MAX_CONTENT_BYTES = 1024 * 1024;

/**
 * What a client sends of a read larger than the bound: its first MAX_CONTENT_BYTES bytes, cut on a character boundary.
 * A read is reported after the tool ran, so refusing it would scan nothing; the rest goes unscanned (documented).
 */
export function clipContent(text: string, maxBytes = MAX_CONTENT_BYTES): string {
  if (Buffer.byteLength(text) <= maxBytes) return text;
  let clipped = Buffer.from(text).subarray(0, maxBytes).toString("utf8");
  // A character cut in two decodes as U+FFFD (3 bytes): drop it so the result stays within the bound.
  while (Buffer.byteLength(clipped) > maxBytes) clipped = clipped.slice(0, -1);
  return clipped;
}
