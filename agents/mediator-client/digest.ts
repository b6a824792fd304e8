// Output digests for outcome events: the ledger holds a hash of what a tool returned, never the bytes themselves.
import { createHash } from "node:crypto";

export function sha256Digest(data: string | Uint8Array): string {
  return `sha256:${createHash("sha256").update(data).digest("hex")}`;
}

/** Shortens free text for a ledger summary; outcome summaries stay small and readable. */
export function clip(text: string, max = 200): string {
  const oneLine = text.replace(/\s+/g, " ").trim();
  return oneLine.length <= max ? oneLine : `${oneLine.slice(0, max - 1)}…`;
}
