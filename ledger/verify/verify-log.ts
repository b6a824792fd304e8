// The offline verifier: checkpoints → entries in order (tree, leaf, canonical, signature) → tail → head → proofs → nodes.
//
// Reads top to bottom as the process an auditor runs. Pure: the data and public keys come in as
// arguments (no database, no HTTP), so it can run against a dump, a live store or the HTTP API.
import { itemAt } from "../../common/present.ts";
import { availableParallelism } from "node:os";
import { hashEquals, openNote, toBase64, verifyConsistency } from "../core/index.ts";
import { parseCanonicalEvent } from "../event/envelope.ts";
import { checkEventSignature, eventKeySet } from "./event-signature.ts";
import { KeyTrust } from "./key-trust.ts";
import { CompactRange } from "./compact-range.ts";
import { type EntryChecker, type EntryCheckWorkers, inlineChecker, startEntryCheckWorkers, workerChecker } from "./entry-check-pool.ts";
import type { EntryProblem } from "./entry-check.ts";
import { type OpenedCheckpoint, openCheckpoints } from "./checkpoint-set.ts";
import type { VerifyEntry, VerifyLogInput, VerifyProblem, VerifyResult } from "./types.ts";
import { newestWitnessed } from "./witness-quorum.ts";
import { checkStoredRows } from "./stored-rows.ts";
import { StoredNodeCheck } from "./verify-nodes.ts";

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

export async function verifyLog(input: VerifyLogInput): Promise<VerifyResult> {
  // 0. Trust starts at the anchors the caller gives (key files or pinned keys); key.added events extend it on the way.
  let trust: KeyTrust;
  try {
    trust = new KeyTrust({ eventKeys: input.eventKeys, checkpointKeys: input.checkpointKeys });
  } catch (err) {
    return { ok: false, part: "checkpoint", reason: `bad checkpoint verifier key: ${message(err)}` };
  }

  // 1. Checkpoints first: signatures, origin and forks need no entries, and they anchor the rest. A note signed by a
  //    key the anchors do not hold waits for the key.added events (step 2b) and is compared with the tree meanwhile.
  const opened = openCheckpoints(input.checkpoints, (size) => trust.checkpointVerifiers(size), input.origin, { deferUnknown: true });
  if ("problem" in opened) return opened.problem;
  const checkpoints = opened.checkpoints;

  // 2. Entries in index order: recompute the tree and compare it with every checkpoint on the way.
  const scan = await scanEntries(input, checkpoints, trust);
  if (!scan.ok) return scan;
  const { size, root, nodeProblem } = scan;

  // 2b. Every checkpoint again, now with the keys the log introduced and retired: each needs a key trusted at its size.
  const reopened = openCheckpoints(input.checkpoints, (n) => trust.checkpointVerifiers(n), input.origin);
  if ("problem" in reopened) return explainRetired(reopened.problem, input.checkpoints, trust);

  // 2c. Witnesses: some checkpoint (their log signatures just verified) must carry a quorum of cosignatures.
  let witnessed: { size: number; cosigners: string[]; quorum: number } | undefined;
  if (input.witnesses) {
    let found;
    try {
      found = newestWitnessed(input.checkpoints, input.witnesses);
    } catch (err) {
      return { ok: false, part: "witness", reason: `witness cosignatures: ${message(err)}` };
    }
    if (!found) {
      return {
        ok: false,
        part: "witness",
        reason: `no checkpoint carries cosignatures from ${input.witnesses.quorum} of the ${input.witnesses.vkeys.length} trusted witness(es)`,
      };
    }
    witnessed = { ...found, quorum: input.witnesses.quorum };
  }

  // 3. A signed checkpoint beyond the last entry means entries were deleted from the end.
  const beyond = checkpoints.find((cp) => cp.size > size);
  if (beyond) {
    return {
      ok: false,
      part: "order",
      index: size,
      checkpoint: { position: beyond.position, size: beyond.size },
      reason: `the log ends after ${size} entries but checkpoint #${beyond.position} is signed for size ${beyond.size}: entries ${size}..${beyond.size - 1} are missing`,
    };
  }

  // 3b. Rows stored beside signed text (checkpoint size and root, cosignatures, key ids) must say what the text says.
  if (input.rows) {
    const problem = checkStoredRows(input.rows, trust.purposes);
    if (problem) return problem;
  }

  // 4. The head the source claims.
  if (input.head && (input.head.size !== size || !hashEquals(input.head.root, root))) {
    return {
      ok: false,
      part: "head",
      reason: `the claimed head (size ${input.head.size}, root ${toBase64(input.head.root)}) is not the recomputed one (size ${size}, root ${toBase64(root)})`,
    };
  }

  // 5. Served consistency proofs between consecutive checkpoints (they come from stored nodes, not the leaves).
  if (input.consistencyProof) {
    const problem = await checkConsistencyProofs(checkpoints, input.consistencyProof);
    if (problem) return problem;
  }

  // 6. Every stored interior node, which proofs are served from, as the scan computed it (last: the leaves come first).
  if (nodeProblem) return nodeProblem;
  return { ok: true, size, root: toBase64(root), checkpoints: checkpoints.length, ...(witnessed ? { witnessed } : {}) };
}

async function scanEntries(
  input: VerifyLogInput,
  checkpoints: OpenedCheckpoint[],
  trust: KeyTrust,
): Promise<{ ok: true; size: number; root: Uint8Array; nodeProblem: VerifyProblem | null } | VerifyProblem> {
  const range = new CompactRange();
  const nodes = input.storedNodes ? new StoredNodeCheck(input.storedNodes) : null;
  const batchSize = input.batchSize ?? 256;
  const given = input.checkWorkers ?? null;
  const workers = given ? given.size : (input.workers ?? availableParallelism());
  /** Threads started here at the first batch a worker takes (none if the caller gave its own); closed at the end. */
  let ownThreads: EntryCheckWorkers | null = null;
  let checker: EntryChecker | null = null;
  const inflight: Array<Promise<EntryProblem | null>> = [];
  let batch: VerifyEntry[] = [];
  let next = 0; // next checkpoint to compare, by size
  let lastMatched = 0; // size of the last checkpoint that matched
  let found: VerifyProblem | null;

  /** Compares the recomputed root with the checkpoints signed for the current size. */
  const compareCheckpoints = (): VerifyProblem | null => {
    for (let cp = checkpoints[next]; cp !== undefined && cp.size === range.size; cp = checkpoints[++next]) {
      const root = range.root();
      if (!hashEquals(root, cp.root)) {
        return {
          ok: false,
          part: "checkpoint",
          index: lastMatched,
          checkpoint: { position: cp.position, size: cp.size },
          reason: `checkpoint #${cp.position} signs root ${toBase64(cp.root)} for size ${cp.size}, but the stored entries hash to ${toBase64(root)}: entries ${lastMatched}..${cp.size - 1} are not what was signed (replaced, reordered or re-hashed)`,
        };
      }
      lastMatched = cp.size;
    }
    return null;
  };
  const flush = (final: boolean) => {
    if (batch.length === 0) return;
    // Small logs are checked inline: starting workers costs more than they would save.
    if (!checker) {
      checker =
        workers > 0 && !final
          ? workerChecker(given ?? (ownThreads ??= startEntryCheckWorkers(workers)), trust.eventKeys())
          : inlineChecker(trust.eventKeys());
    }
    const pending = checker.check(batch);
    pending.catch(() => {}); // awaited in order below; this only keeps an early exit from leaving it unhandled
    inflight.push(pending);
    batch = [];
  };
  const drain = async (keep: number): Promise<VerifyProblem | null> => {
    while (inflight.length > keep) {
      const p = await inflight.shift();
      if (p) return { ok: false, part: p.part, index: p.index, reason: `entry ${p.index}: ${p.reason}`, ...(p.row ? { row: p.row } : {}) };
    }
    return null;
  };

  try {
    found = compareCheckpoints(); // size-0 checkpoints
    const entries = found ? [] : input.entries;
    scan: for await (const item of entries) {
      for (const entry of Array.isArray(item) ? item : [item]) {
        if (entry.index !== range.size) {
          found = orderProblem(entry.index, range.size);
          break scan;
        }
        if (!(entry.leafHash instanceof Uint8Array) || entry.leafHash.length !== 32) {
          found = { ok: false, part: "leaf_hash", index: entry.index, reason: `entry ${entry.index}: stored leaf hash is not 32 bytes` };
          break scan;
        }
        batch.push(entry);
        range.append(entry.leafHash, nodes?.computed);
        // Entry i's own checks come before a checkpoint ending at i: it is flushed with this batch.
        if ((found = compareCheckpoints())) break scan;
        if (mayHoldKeyEvent(entry.canonical)) {
          const before = trust.version;
          if ((found = applyKeyEvent(entry, trust))) break scan;
          if (trust.version !== before) {
            // Later entries are checked with the new key set: finish what the old checkers hold, then start afresh.
            flush(false);
            const problem = await drain(0);
            if (problem) return problem;
            checker = null;
          }
        }
        if (batch.length >= batchSize) {
          flush(false);
          const problem = await drain(workers * 4);
          if (problem) return problem;
        }
      }
      input.onProgress?.(range.size);
      await nodes?.compare(false);
    }
    flush(true);
    const problem = await drain(0); // earlier entries' problems come before anything found later
    if (problem) return problem;
  } finally {
    await (ownThreads as EntryCheckWorkers | null)?.close();
  }
  if (found) return found;
  await nodes?.compare(true);
  return { ok: true, size: range.size, root: range.root(), nodeProblem: nodes?.problem ?? null };
}

const KEY_EVENT_MARK = Buffer.from('"kind":"key.');

/**
 * A cheap filter: an event of kind key.* has this member in its canonical bytes (a quote inside a string would be
 * escaped there). It may also match a nested member; applyKeyEvent then parses the event and finds another kind.
 */
function mayHoldKeyEvent(canonical: Uint8Array): boolean {
  return (
    canonical instanceof Uint8Array && Buffer.from(canonical.buffer, canonical.byteOffset, canonical.byteLength).includes(KEY_EVENT_MARK)
  );
}

/**
 * Applies a key event to the trusted keys, once its own signature verified under the keys trusted before it. An
 * entry that does not parse or verify is left to the entry checks, which report it in index order.
 */
function applyKeyEvent(entry: VerifyEntry, trust: KeyTrust): VerifyProblem | null {
  let event;
  try {
    event = parseCanonicalEvent(entry.canonical);
  } catch {
    return null;
  }
  if (!event.kind.startsWith("key.")) return null;
  if (checkEventSignature(entry.canonical, entry.signature, eventKeySet(trust.eventKeys())) !== null) return null;
  const why = trust.apply(event, entry.index);
  return why === null ? null : { ok: false, part: "key", index: entry.index, reason: `entry ${entry.index}: ${why}` };
}

/** A checkpoint refused at the end only because its key was retired before its size says so. */
function explainRetired(problem: VerifyProblem, notes: string[], trust: KeyTrust): VerifyProblem {
  const position = problem.checkpoint?.position;
  if (position === undefined || problem.reason.includes("fork")) return problem;
  try {
    openNote(itemAt(notes, position, "checkpoint notes"), trust.allCheckpointVerifiers());
  } catch {
    return problem;
  }
  return {
    ...problem,
    reason: `checkpoint #${position} is signed only by a checkpoint key that a key.retired event retired before the log reached its size`,
  };
}

function orderProblem(got: number, expected: number): VerifyProblem {
  if (typeof got !== "number" || !Number.isSafeInteger(got)) {
    return { ok: false, part: "order", index: expected, reason: `entry after ${expected - 1} has no valid index` };
  }
  return got > expected
    ? {
        ok: false,
        part: "order",
        index: expected,
        reason: `entry ${expected} is missing (the next stored index is ${got}): rows were deleted`,
      }
    : {
        ok: false,
        part: "order",
        index: got,
        reason: `index ${got} appears again after ${expected - 1}: rows are duplicated or out of order`,
      };
}

async function checkConsistencyProofs(
  checkpoints: OpenedCheckpoint[],
  fetchProof: (from: number, to: number) => Promise<Uint8Array[]>,
): Promise<VerifyProblem | null> {
  const sized = checkpoints.filter((cp) => cp.size > 0);
  for (let i = 1; i < sized.length; i++) {
    const a = itemAt(sized, i - 1, "checkpoints");
    const b = itemAt(sized, i, "checkpoints");
    try {
      const proof = await fetchProof(a.size, b.size);
      verifyConsistency({ size1: a.size, size2: b.size, root1: a.root, root2: b.root, proof });
    } catch (err) {
      return {
        ok: false,
        part: "consistency",
        checkpoint: { position: b.position, size: b.size },
        reason: `the consistency proof from checkpoint #${a.position} (size ${a.size}) to #${b.position} (size ${b.size}) fails: ${message(err)}`,
      };
    }
  }
  return null;
}
