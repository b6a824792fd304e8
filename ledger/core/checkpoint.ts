// C2SP tlog-checkpoint bodies (https://c2sp.org/tlog-checkpoint): format, strict parse, sign, verify.
import { itemAt } from "../../common/present.ts";
import { MaestroError } from "../../common/errors.ts";
import { decodeHash, HASH_SIZE, toBase64 } from "./hash.ts";
import { openNote, signNote } from "./note.ts";
import type { NoteSigner, NoteVerifier } from "./note-keys.ts";
import { parseVkey } from "./note-keys.ts";

export interface Checkpoint {
  origin: string;
  size: number;
  rootHash: Uint8Array;
  extensions?: string[];
}

function bad(reason: string, field: string): never {
  throw new MaestroError("bad_request", `checkpoint: ${reason}`, { field, details: { reason } });
}

/** A line is non-empty and holds no newline (the body is newline-terminated lines). */
function checkLine(line: string, field: string): void {
  if (typeof line !== "string" || line.length === 0 || line.includes("\n")) bad(`${field} must be one non-empty line`, field);
}

/** "<origin>\n<decimal size>\n<base64 root>\n" then optional extension lines, each "\n"-terminated. */
export function formatCheckpoint(cp: Checkpoint): string {
  checkLine(cp.origin, "origin");
  if (!Number.isSafeInteger(cp.size) || cp.size < 0) bad("size must be a non-negative safe integer", "size");
  if (!(cp.rootHash instanceof Uint8Array) || cp.rootHash.length !== HASH_SIZE) bad("root hash must be 32 bytes", "rootHash");
  const ext = cp.extensions ?? [];
  for (const line of ext) checkLine(line, "extensions");
  return [cp.origin, String(cp.size), toBase64(cp.rootHash), ...ext].map((l) => `${l}\n`).join("");
}

/** Strict: decimal size without leading zeros, a 32-byte canonical base64 root, non-empty lines. */
export function parseCheckpoint(text: string): Checkpoint & { extensions: string[] } {
  if (typeof text !== "string" || !text.endsWith("\n")) bad("body must end in a newline", "checkpoint");
  const lines = text.slice(0, -1).split("\n");
  if (lines.length < 3) bad("body needs origin, size and root lines", "checkpoint");
  const origin = itemAt(lines, 0, "checkpoint lines");
  const sizeText = itemAt(lines, 1, "checkpoint lines");
  const rootText = itemAt(lines, 2, "checkpoint lines");
  const extensions = lines.slice(3);
  checkLine(origin, "origin");
  if (!/^(0|[1-9][0-9]*)$/.test(sizeText)) bad("size must be decimal without leading zeros", "size");
  const size = Number(sizeText);
  if (!Number.isSafeInteger(size)) bad("size is too large", "size");
  const rootHash = decodeHash(rootText, "rootHash");
  for (const line of extensions) checkLine(line, "extensions");
  return { origin, size, rootHash, extensions };
}

export function signCheckpoint(cp: Checkpoint, signer: NoteSigner): string {
  return signNote(formatCheckpoint(cp), signer);
}

/**
 * Opens the note with the given key, then parses its body. `expectedOrigin` guards against a
 * checkpoint of another log signed by the same key.
 */
export function verifyCheckpoint(
  noteText: string,
  verifier: NoteVerifier | string,
  expectedOrigin?: string,
): Checkpoint & { extensions: string[] } {
  const v = typeof verifier === "string" ? parseVkey(verifier) : verifier;
  const { text } = openNote(noteText, [v]);
  const cp = parseCheckpoint(text);
  if (expectedOrigin !== undefined && cp.origin !== expectedOrigin) {
    throw new MaestroError("verification_failed", `checkpoint origin ${JSON.stringify(cp.origin)} is not the expected one`, {
      details: { origin: cp.origin, expectedOrigin },
    });
  }
  return cp;
}
