// C2SP tlog-witness (https://c2sp.org/tlog-witness) wire formats: the add-checkpoint body, a 409's size, a 200's lines.
import { MaestroError } from "../../common/errors.ts";
import { HASH_SIZE, toBase64 } from "./hash.ts";

/** The spec caps a request at 63 proof lines (an RFC 6962 proof for any 2^63-leaf tree fits). */
const MAX_PROOF_LINES = 63;

function bad(reason: string, field: string): never {
  throw new MaestroError("bad_request", `add-checkpoint: ${reason}`, { field, details: { reason } });
}

/** "old N\n", one base64 hash per line, a blank line, then the signed checkpoint note. */
export function formatAddCheckpoint(oldSize: number, proof: Uint8Array[], note: string): string {
  if (!Number.isSafeInteger(oldSize) || oldSize < 0) bad("old size must be a non-negative integer", "oldSize");
  if (oldSize === 0 && proof.length > 0) bad("the proof must be empty when the old size is 0", "proof");
  if (proof.length > MAX_PROOF_LINES) bad(`more than ${MAX_PROOF_LINES} proof lines`, "proof");
  for (const h of proof) if (h.length !== HASH_SIZE) bad("a proof hash is not 32 bytes", "proof");
  return `old ${oldSize}\n${proof.map((h) => `${toBase64(h)}\n`).join("")}\n${note}`;
}

/** A 409's body: the size the witness last cosigned, in decimal, then a newline. */
export function parseConflictSize(body: string): number {
  if (!/^(0|[1-9][0-9]{0,15})\n$/.test(body)) bad("the witness's 409 body is not a decimal tree size and a newline", "body");
  const size = Number(body.slice(0, -1));
  if (!Number.isSafeInteger(size)) bad("the witness's 409 size is too large", "body");
  return size;
}

/** A 200's body: one or more signature lines, each ending in a newline. Returns them without newlines. */
export function parseCosignatureLines(body: string): string[] {
  if (body.length === 0 || !body.endsWith("\n")) bad("the witness's answer is not newline-terminated signature lines", "body");
  const lines = body.slice(0, -1).split("\n");
  if (lines.length > 100 || lines.some((l) => !l.startsWith("\u2014 ")))
    bad("the witness's answer holds a line that is not a signature", "body");
  return lines;
}
