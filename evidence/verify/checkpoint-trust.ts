// The export's two signed checkpoints: which keys may sign them, and how the trusted key anchors them across a key rotation.
import { openNote, parseCheckpoint, parseVkey } from "../../ledger/core/index.ts";
import type { EvidenceExport } from "../formats/export-types.ts";
import { vkeyLabel } from "./keys.ts";
import { ensure, type Report } from "./verify-report.ts";

export interface TrustedTree {
  origin: string;
  size: number;
  root: Uint8Array;
}

export interface CheckpointKeys {
  /** The bundle's checkpoint keys (`keys.vkey`: current first, then retired), or the pinned ones when those do not parse. */
  checkpointKeys: string[];
  /** The auditor's pinned vkeys; undefined when a JWKS is pinned instead. */
  pinnedVkeys?: string[];
}

interface SignedTree extends TrustedTree {
  /** The given keys whose signature on the note verifies. */
  signers: string[];
}

/** Opens a C2SP signed note (https://c2sp.org/signed-note) with the given keys, then its tlog-checkpoint body. */
function openSigned(note: unknown, vkeys: string[]): SignedTree {
  // Throws when no given key signed it, or when the signature of a given key is bad.
  const { text, sigs } = openNote(
    String(note),
    vkeys.map((v) => parseVkey(v)),
  );
  const cp = parseCheckpoint(text);
  // Our vkeys are named after the log's origin: a key of this log signing another log's checkpoint is refused.
  for (const sig of sigs)
    ensure(sig.name === cp.origin, `checkpoint origin ${JSON.stringify(cp.origin)} is not the name of its signing key ${sig.name}`);
  // Key by key: a note names its signer only by name and a 32-bit id, so only the key itself tells whose signature it is.
  const signers = vkeys.filter((v) => {
    try {
      openNote(String(note), [parseVkey(v)]);
      return true;
    } catch {
      return false;
    }
  });
  return { origin: cp.origin, size: cp.size, root: cp.rootHash, signers };
}

/**
 * Accepts a checkpoint signed by any key the bundle or the pinned file names, but trusts one only through an anchor key:
 * the pinned vkeys, or with a JWKS pinned the bundle's current checkpoint key (the export signature, by the pinned event
 * key, vouches for the bundle's key list and its order). The latest checkpoint must be signed by an anchor key. The
 * checkpoint the events are proven against may be signed by another listed key — after `maestro keys rotate --purpose
 * checkpoint` it was signed by the retired key — and then holds only as a prefix of the anchored latest one: the
 * caller's consistency check (RFC 9162 §2.1.4) is what makes the rotation verifiable, the new key having signed a tree
 * that extends the one the old key signed. A retired key is never trusted on the bundle's word alone.
 */
export function verifyCheckpoints(
  doc: EvidenceExport,
  keys: CheckpointKeys,
  report: Report,
): { checkpoint?: TrustedTree; latest?: TrustedTree } {
  const accepted = [...new Set([...keys.checkpointKeys, ...(keys.pinnedVkeys ?? [])])];
  const anchors = keys.pinnedVkeys ?? keys.checkpointKeys.slice(0, 1);
  const anchorName = keys.pinnedVkeys ? "a pinned vkey" : `the bundle's current checkpoint key ${anchors.map(vkeyLabel).join("")}`;
  const anchored = (t: SignedTree) => t.signers.some((v) => anchors.includes(v));
  const by = (t: SignedTree) => t.signers.map(vkeyLabel).join(", ");
  const open = (note: unknown): SignedTree | Error => {
    try {
      return openSigned(note, accepted);
    } catch (err) {
      return err as Error;
    }
  };
  const checkpoint = open(doc.checkpoint);
  const latest = open(doc.latestCheckpoint);
  const latestAnchored = !(latest instanceof Error) && anchored(latest);

  if (checkpoint instanceof Error) report.fail("checkpoint", checkpoint.message);
  else if (anchored(checkpoint)) report.pass("checkpoint", `checkpoint signature and origin verify (signed by ${by(checkpoint)})`);
  else if (latestAnchored) {
    report.pass(
      "checkpoint",
      `checkpoint signature and origin verify (signed by ${by(checkpoint)}: trusted as a prefix of the latest checkpoint, see consistency)`,
    );
  } else report.fail("checkpoint", `checkpoint is signed by ${by(checkpoint)}, and neither it nor the latest checkpoint by ${anchorName}`);

  if (latest instanceof Error) report.fail("latestCheckpoint", latest.message);
  else if (latestAnchored) report.pass("latestCheckpoint", `latest checkpoint signature verifies (signed by ${by(latest)})`);
  else if (keys.pinnedVkeys) {
    report.fail(
      "latestCheckpoint",
      `latest checkpoint is signed by ${by(latest)}, which is not pinned (after a checkpoint key rotation, pin the new vkey too: one per line)`,
    );
  } else report.fail("latestCheckpoint", `latest checkpoint is signed by ${by(latest)}, not by ${anchorName}`);

  return { checkpoint: checkpoint instanceof Error ? undefined : checkpoint, latest: latestAnchored ? (latest as SignedTree) : undefined };
}
