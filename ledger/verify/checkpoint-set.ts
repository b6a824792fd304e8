// Opens every stored checkpoint (signed note + C2SP tlog-checkpoint body) and finds forks among them.
import { hashEquals, keyIdHex, openNote, parseCheckpoint, parseVkey, toBase64, type NoteVerifier } from "../core/index.ts";
import type { VerifyProblem } from "./types.ts";

export interface OpenedCheckpoint {
  /** Position in the list the caller gave (stable, so reports can name it). */
  position: number;
  size: number;
  root: Uint8Array;
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Every note must carry a valid signature from one of the checkpoint keys and name the expected
 * origin (defaulting to the signing key's name, which is how our vkeys are made). Two valid
 * notes for one size with different roots are a fork: proof that the key holder signed two
 * histories, whatever the entries say. Returns the checkpoints by size, one per size.
 */
export function openCheckpoints(
  notes: string[],
  vkeys: string[],
  origin?: string,
): { checkpoints: OpenedCheckpoint[] } | { problem: VerifyProblem } {
  let verifiers: NoteVerifier[];
  try {
    verifiers = vkeys.map((v) => parseVkey(v.trim()));
  } catch (err) {
    return { problem: { ok: false, part: "checkpoint", reason: `bad checkpoint verifier key: ${message(err)}` } };
  }
  const bySize = new Map<number, OpenedCheckpoint>();
  for (const [position, note] of notes.entries()) {
    let opened: OpenedCheckpoint;
    try {
      const { text, sigs } = openNote(note, verifiers);
      const body = parseCheckpoint(text);
      const expected = origin ?? sigs[0].name;
      if (body.origin !== expected) {
        throw new Error(
          `origin ${JSON.stringify(body.origin)} is not ${JSON.stringify(expected)} (signed by ${sigs[0].name}+${keyIdHex(sigs[0].keyId)})`,
        );
      }
      opened = { position, size: body.size, root: body.rootHash };
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
  return { checkpoints: [...bySize.values()].sort((a, b) => a.size - b.size) };
}
