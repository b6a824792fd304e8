// Opens every stored checkpoint (signed note + C2SP tlog-checkpoint body) and finds forks among them.
import { itemAt } from "../../common/present.ts";
import { isMaestroError } from "../../common/errors.ts";
import { hashEquals, keyIdHex, openNote, parseCheckpoint, parseVkey, splitNote, toBase64, type NoteVerifier } from "../core/index.ts";
import type { VerifyProblem } from "./types.ts";

export interface OpenedCheckpoint {
  /** Position in the list the caller gave (stable, so reports can name it). */
  position: number;
  size: number;
  root: Uint8Array;
  /** False for a note opened with `deferUnknown` whose signing key was not known yet. */
  verified: boolean;
}

/** openNote's refusal of a note that no given key signed (ledger/core/note.ts). */
const NO_KNOWN_KEY = "note has no signature from a known key";

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The verifiers to open a checkpoint of `size` with (which keys are trusted can depend on the size). */
export type CheckpointVerifiers = (size: number) => NoteVerifier[];

/**
 * Every note must carry a valid signature from one of the checkpoint keys and name the expected
 * origin (defaulting to the signing key's name, which is how our vkeys are made). Two valid
 * notes for one size with different roots are a fork: proof that the key holder signed two
 * histories, whatever the entries say. Returns the checkpoints by size, one per size.
 *
 * With `deferUnknown`, a note no given key signed is returned unverified (`verified: false`) instead of refused: its
 * key may be introduced by a key.added event further on, so the caller opens it again once the log is read.
 */
export function openCheckpoints(
  notes: string[],
  vkeys: string[] | CheckpointVerifiers,
  origin?: string,
  options: { deferUnknown?: boolean } = {},
): { checkpoints: OpenedCheckpoint[] } | { problem: VerifyProblem } {
  let verifiersFor: CheckpointVerifiers;
  if (typeof vkeys === "function") verifiersFor = vkeys;
  else {
    try {
      const parsed = vkeys.map((v) => parseVkey(v.trim()));
      verifiersFor = () => parsed;
    } catch (err) {
      return { problem: { ok: false, part: "checkpoint", reason: `bad checkpoint verifier key: ${message(err)}` } };
    }
  }
  const bySize = new Map<number, OpenedCheckpoint>();
  const deferred: OpenedCheckpoint[] = [];
  for (const [position, note] of notes.entries()) {
    let opened: OpenedCheckpoint;
    try {
      const size = parseCheckpoint(splitNote(note).body).size;
      let sigs;
      let text;
      try {
        ({ text, sigs } = openNote(note, verifiersFor(size)));
      } catch (err) {
        if (options.deferUnknown && isMaestroError(err) && err.message === NO_KNOWN_KEY) {
          const body = parseCheckpoint(splitNote(note).body);
          deferred.push({ position, size: body.size, root: body.rootHash, verified: false });
          continue;
        }
        throw err;
      }
      const body = parseCheckpoint(text);
      // openNote returns only when at least one known key signed the note.
      const signer = itemAt(sigs, 0, "verified checkpoint signatures");
      const expected = origin ?? signer.name;
      if (body.origin !== expected) {
        throw new Error(
          `origin ${JSON.stringify(body.origin)} is not ${JSON.stringify(expected)} (signed by ${signer.name}+${keyIdHex(signer.keyId)})`,
        );
      }
      opened = { position, size: body.size, root: body.rootHash, verified: true };
    } catch (err) {
      return {
        problem: {
          ok: false,
          part: "checkpoint",
          checkpoint: { position },
          reason: `checkpoint #${position} does not verify: ${message(err)}`,
        },
      };
    }
    const twin = bySize.get(opened.size);
    if (twin && !hashEquals(twin.root, opened.root)) {
      return {
        problem: {
          ok: false,
          part: "checkpoint",
          checkpoint: { position, size: opened.size },
          reason: `fork: checkpoints #${twin.position} and #${position} are both validly signed for size ${opened.size} but with different roots ${toBase64(twin.root)} and ${toBase64(opened.root)}`,
        },
      };
    }
    if (!twin) bySize.set(opened.size, opened);
  }
  // Unverified notes are compared with the tree too (every one of them, so none escapes the root check).
  return { checkpoints: [...bySize.values(), ...deferred].sort((a, b) => a.size - b.size || a.position - b.position) };
}
