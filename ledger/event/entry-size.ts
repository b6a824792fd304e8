// The size bound of one ledger entry (C2SP tlog-tiles entry bundles), and which field of an oversized event made it so.
import { MaestroError } from "../../common/errors.ts";
import { MAX_ENTRY_BYTES } from "../core/index.ts";
import { canonicalJson } from "./canonical-json.ts";

export { MAX_ENTRY_BYTES };

const encoder = new TextEncoder();
const sizeOf = (value: unknown): number => encoder.encode(canonicalJson(value)).length;
const escape = (key: string) => key.replaceAll("~", "~0").replaceAll("/", "~1");

/**
 * JSON pointer (RFC 6901) of the member that makes `value` large: descend into the biggest member while it holds
 * more than half of its parent's bytes, so one huge string is named exactly, and many middling ones by their parent.
 * Only on the refusal path: it canonicalizes each level again.
 */
export function largestMember(value: unknown): string {
  let pointer = "";
  let node = value;
  let size = sizeOf(node);
  for (;;) {
    if (node === null || typeof node !== "object") return pointer;
    const members: Array<[string, unknown]> = Array.isArray(node) ? node.map((v, i) => [String(i), v]) : Object.entries(node);
    let best: [string, unknown, number] | undefined;
    for (const [key, member] of members) {
      const s = sizeOf(member);
      if (!best || s > best[2]) best = [key, member, s];
    }
    if (!best || best[2] * 2 <= size) return pointer;
    pointer += `/${escape(best[0])}`;
    [, node, size] = best;
  }
}

/**
 * Refuses an event whose RFC 8785 bytes a tile cannot hold: appended, it would make its entry bundle unservable for
 * good. `field` maps the pointer into the event to the request field that carried it (default: the payload's own).
 */
export function checkEntrySize(event: unknown, canonical: Uint8Array, field: (eventPointer: string) => string = payloadField): void {
  if (canonical.length <= MAX_ENTRY_BYTES) return;
  const pointer = largestMember(event);
  throw new MaestroError(
    "invalid_field",
    `the ledger event would be ${canonical.length} bytes, over the ${MAX_ENTRY_BYTES} one entry can hold (C2SP tlog-tiles); ${pointer || "the event"} is what makes it large`,
    { field: field(pointer) },
  );
}

/** Producers put request fields in the payload as they came: /payload/x is the request's /x. */
export function payloadField(eventPointer: string): string {
  return eventPointer.startsWith("/payload/") ? eventPointer.slice("/payload".length) : eventPointer || "/";
}
