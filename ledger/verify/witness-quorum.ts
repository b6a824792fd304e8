// Which checkpoint a k-of-n quorum of trusted witnesses cosigned (C2SP tlog-cosignature), for the offline verifiers.
//
// A witness cosigns only checkpoints consistent with everything it cosigned before, so a quorum-witnessed
// checkpoint is one the operator could not have shown to the witnesses while keeping another history:
// an auditor who sees the log for the first time learns how much of it was witnessed, and a log rewound
// below that size is caught (its witnessed checkpoint does not match the entries).
import { countWitnesses, type Cosigner, parseCheckpoint, parseCosignerVkey, splitNote } from "../core/index.ts";

export interface WitnessRequirement {
  /** Trusted witness keys, in vkey form (type 0x04). */
  vkeys: string[];
  /** Distinct witnesses needed (1..vkeys.length). */
  quorum: number;
}

export interface WitnessedSize {
  size: number;
  /** Names of the trusted witnesses whose cosignature verified. */
  cosigners: string[];
}

/**
 * The largest checkpoint among `notes` with a quorum of valid cosignatures, or null if none has one.
 * Throws on a bad witness key or quorum, and on a line that claims a trusted witness's key but does
 * not verify (that is forgery, not a missing cosignature). The notes' log signatures are not checked
 * here: callers check them (openCheckpoints) before trusting any size.
 */
export function newestWitnessed(notes: string[], req: WitnessRequirement): WitnessedSize | null {
  const cosigners: Cosigner[] = req.vkeys.map((v) => parseCosignerVkey(v.trim()));
  let best: WitnessedSize | null = null;
  for (const note of notes) {
    const count = countWitnesses(note, cosigners, req.quorum);
    if (!count.witnessed) continue;
    const { size } = parseCheckpoint(splitNote(note).body);
    if (!best || size > best.size) best = { size, cosigners: count.valid.map((v) => v.cosigner.name) };
  }
  return best;
}
