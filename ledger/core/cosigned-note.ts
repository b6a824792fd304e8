// A checkpoint note with witness cosignatures: split, merge signature lines, and count a k-of-n witness quorum.
//
// The log's own note and each witness's line are stored apart; what is served is the log's note with
// the witness lines appended (signed-note allows any number of signatures, and clients ignore the
// ones they do not know), so standard clients read one note with every signature.
import { MaestroError } from "../../common/errors.ts";
import { type CosignatureCheck, type Cosigner, verifyCosignature } from "./cosignature.ts";

const MAX_SIGNATURE_LINES = 100; // the signed-note bound our openNote and the Go reference apply

/** The body (with its final newline) and the signature lines (without newlines) of a signed note. */
export function splitNote(note: string): { body: string; lines: string[] } {
  const split = note.lastIndexOf("\n\n");
  if (split < 0 || !note.endsWith("\n")) {
    throw new MaestroError("bad_request", "malformed note: no blank line before the signatures", { field: "note" });
  }
  const lines = note.slice(split + 2, -1).split("\n");
  if (lines.length > MAX_SIGNATURE_LINES) throw new MaestroError("bad_request", "malformed note: too many signatures", { field: "note" });
  return { body: note.slice(0, split + 1), lines };
}

/** The note with `extra` signature lines appended, each once, in the order given. */
export function mergeSignatureLines(note: string, extra: string[]): string {
  const { body, lines } = splitNote(note);
  const all = [...lines];
  for (const line of extra) {
    if (line.includes("\n")) throw new MaestroError("bad_request", "a signature line holds a newline", { field: "note" });
    if (!all.includes(line)) all.push(line);
  }
  return `${body}\n${all.map((l) => `${l}\n`).join("")}`;
}

export interface WitnessCount {
  /** One valid cosignature per witness that signed (the newest if it signed more than once). */
  valid: CosignatureCheck[];
  quorum: number;
  witnessed: boolean;
}

/**
 * Counts distinct witnesses among `cosigners` with a valid cosignature on the note's body. Lines of
 * other keys are ignored; a line under a configured witness's name and key ID that does not verify
 * throws (verifyCosignature), because it can only be a forgery or a corruption.
 */
export function countWitnesses(note: string, cosigners: Cosigner[], quorum: number): WitnessCount {
  if (!Number.isSafeInteger(quorum) || quorum < 1 || quorum > cosigners.length) {
    throw new MaestroError("invalid_field", `quorum must be 1..${cosigners.length} (the number of witnesses)`, { field: "quorum" });
  }
  const { body, lines } = splitNote(note);
  const byWitness = new Map<string, CosignatureCheck>();
  for (const line of lines) {
    for (const cosigner of cosigners) {
      const check = verifyCosignature(body, line, cosigner);
      if (!check) continue;
      const prior = byWitness.get(cosigner.vkey);
      if (!prior || prior.timestamp < check.timestamp) byWitness.set(cosigner.vkey, check);
    }
  }
  const valid = [...byWitness.values()];
  return { valid, quorum, witnessed: valid.length >= quorum };
}
