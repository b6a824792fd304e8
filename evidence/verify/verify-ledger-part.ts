// Offline checks of the ledger half of an evidence export, in the auditor guide's order: keys, signed checkpoints,
// consistency, and every event's bytes, signature and inclusion.
import { decodeHash, leafHash, parseCheckpoint, toBase64, verifyConsistency } from "../../ledger/core/index.ts";
import { parseCanonicalEvent } from "../../ledger/event/envelope.ts";
import type { EvidenceExport, ExportedConsistency } from "../formats/export-types.ts";
import { type CheckpointKeys, type TrustedTree, verifyCheckpoints } from "./checkpoint-trust.ts";
import { InclusionVerifier } from "./inclusion-memo.ts";
import { keySetFromJwks, parseVkeyList, type EventKey, type PinnedKey } from "./keys.ts";
import type { IndexedEvent } from "../formats/types.ts";
import type { EventSignatureCheck } from "./verify-platform.ts";
import { ensure, type Report } from "./verify-report.ts";

export interface LedgerPart {
  eventKeys: Map<string, EventKey>;
  /** The checkpoint keys the bundle carries: current first, then retired. */
  checkpointKeys: string[];
  checkpoint?: TrustedTree;
  /** Verified events by ledger index, with their base64 leaf hash. */
  events: Map<number, IndexedEvent & { leafHash: string }>;
}

export interface TrustedKeys extends CheckpointKeys {
  eventKeys: Map<string, EventKey>;
}

/** keys: each file JWK's kid is its thumbprint; the pinned key decides which keys are trusted (checkpoint-trust.ts). */
export async function checkKeys(doc: EvidenceExport, pinned: PinnedKey, report: Report): Promise<TrustedKeys> {
  const fileKeys = await report.step("keys", "bundle keys are well-formed Ed25519 keys", async () => {
    const keys = await keySetFromJwks(doc.keys.jwks);
    const vkeys = parseVkeyList(doc.keys.vkey);
    if (pinned.kind === "jwks") {
      const shared = [...pinned.keys.keys()].filter((kid) => keys.has(kid));
      ensure(shared.length > 0, "none of the pinned keys is among the bundle's keys");
    } else {
      ensure(
        pinned.vkeys.some((v) => vkeys.includes(v)),
        "none of the pinned vkeys is among the bundle's checkpoint keys",
      );
    }
    return { keys, vkeys };
  });
  return {
    eventKeys: pinned.kind === "jwks" ? pinned.keys : (fileKeys?.keys ?? new Map()),
    checkpointKeys: fileKeys?.vkeys ?? (pinned.kind === "vkey" ? pinned.vkeys : []),
    pinnedVkeys: pinned.kind === "vkey" ? pinned.vkeys : undefined,
  };
}

/** The body of a note whose signature failed, so later steps can still report their own findings. */
function unverifiedTree(note: string): TrustedTree | undefined {
  try {
    const cp = parseCheckpoint(note.slice(0, note.indexOf("\n\n") + 1));
    return { origin: cp.origin, size: cp.size, root: cp.rootHash };
  } catch {
    return undefined;
  }
}

/** Strict standard base64: Node's decoder skips junk, so require the canonical re-encoding. */
function strictBase64(text: string): Uint8Array {
  const bytes = typeof text === "string" ? Buffer.from(text, "base64") : Buffer.alloc(0);
  if (bytes.toString("base64") !== text) throw new Error("canonical is not canonical base64");
  return bytes;
}

export function checkConsistency(c: ExportedConsistency, from: TrustedTree, to: TrustedTree, what: string): void {
  ensure(c.from === from.size && c.to === to.size, `${what}: proof is for ${c.from}→${c.to}, expected ${from.size}→${to.size}`);
  verifyConsistency({
    size1: c.from,
    size2: c.to,
    root1: from.root,
    root2: to.root,
    proof: c.hashes.map((h, i) => decodeHash(h, `hashes[${i}]`)),
  });
}

/** The checkpoint the events are proven against, and the latest one it must be a prefix of; each once its signature holds. */
export interface CheckedTrees {
  checkpoint?: TrustedTree;
  latest?: TrustedTree;
}

/**
 * checkpoint, latestCheckpoint: each C2SP signed note verifies with a trusted key and its origin (checkpoint-trust.ts).
 * A checkpoint whose signature fails still yields its tree, so the later steps can report their own findings.
 */
export function checkCheckpoints(doc: EvidenceExport, keys: TrustedKeys, report: Report): CheckedTrees {
  const { checkpoint, latest } = verifyCheckpoints(doc, keys, report);
  return { checkpoint: checkpoint ?? unverifiedTree(String(doc.checkpoint)), latest };
}

/** consistency: the checkpoint is a prefix of the latest checkpoint (RFC 9162 §2.1.4). */
export async function checkCheckpointConsistency(doc: EvidenceExport, trees: CheckedTrees, report: Report): Promise<void> {
  const { checkpoint, latest } = trees;
  if (!checkpoint || !latest) return;
  await report.step("consistency", "checkpoint is consistent with the latest checkpoint (RFC 9162 §2.1.4)", () =>
    checkConsistency(doc.consistency.checkpointToLatest, checkpoint, latest, "checkpointToLatest"),
  );
}

/**
 * events[i]: each event's bytes are standard base64 of RFC 8785 canonical JSON, and its leaf hash has a valid inclusion
 * proof to the checkpoint (proofs share work through inclusion-memo.ts), checked here while its Ed25519 signature is
 * checked elsewhere (worker threads on Node, event-signatures.ts; WebCrypto in a browser, webcrypto-platform.ts). Returns as soon as the hashing is done, with the signatures still in
 * flight: the caller may check the release half meanwhile, then must call settleSignatures() before trusting `events`.
 */
export function checkEvents(
  doc: EvidenceExport,
  keys: TrustedKeys,
  trees: CheckedTrees,
  signatures: EventSignatureCheck,
): PendingLedgerPart {
  const { eventKeys, checkpointKeys } = keys;
  const out: LedgerPart = { eventKeys, checkpointKeys, checkpoint: trees.checkpoint, events: new Map() };
  const tree = trees.checkpoint;
  const inclusion = tree ? new InclusionVerifier(tree.size, tree.root) : undefined;
  // A file whose events are not an array fails the format check; nothing here to prove.
  const events = Array.isArray(doc.events) ? doc.events : [];
  signatures.useKeys(eventKeys);
  const failed = new Map<number, string>();
  // Which file position each accepted ledger index came from: a failed entry drops only the event it added itself,
  // never an earlier valid event with the same index (a duplicate fails alone, the original stays proven).
  const positionOf = new Map<number, number>();
  const drop = (i: number): void => {
    const index = events[i]?.index;
    if (index === undefined || positionOf.get(index) !== i) return;
    out.events.delete(index);
    positionOf.delete(index);
  };
  for (const [i, e] of events.entries()) {
    try {
      const bytes = strictBase64(e.canonical);
      signatures.add(i, e.signature, e.canonical, bytes);
      const event = parseCanonicalEvent(bytes);
      const leaf = leafHash(bytes);
      ensure(inclusion, "no checkpoint to prove inclusion against");
      try {
        inclusion.verify(leaf, e.index, e.proof);
      } catch (err) {
        throw new Error(`inclusion proof of ledger index ${e.index} fails: ${(err as Error).message}`, { cause: err });
      }
      ensure(!positionOf.has(e.index), `appears twice (first at events[${positionOf.get(e.index)}])`);
      out.events.set(e.index, { index: e.index, event, leafHash: toBase64(leaf) });
      positionOf.set(e.index, i);
    } catch (err) {
      failed.set(i, `ledger index ${e?.index}: ${(err as Error).message}`);
    }
  }
  return {
    part: out,
    /** Waits for every signature, reports the events that failed (in file order) and drops them; returns how many. */
    async settleSignatures(into: Report): Promise<number> {
      for (const [i, reason] of await signatures.settle()) {
        if (!failed.has(i)) failed.set(i, `ledger index ${events[i]?.index}: ${reason}`);
      }
      for (const i of [...failed.keys()].sort((a, b) => a - b)) {
        into.fail(`events[${i}]`, failed.get(i)!);
        drop(i);
      }
      if (failed.size === 0) into.pass("events", `${out.events.size} events: canonical bytes, JWS signatures and inclusion proofs verify`);
      return failed.size;
    },
  };
}

export interface PendingLedgerPart {
  part: LedgerPart;
  settleSignatures(into: Report): Promise<number>;
}
