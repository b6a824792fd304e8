// The offline verifier against in-memory logs: a clean log passes; each kind of tampering is found and located.
import { beforeAll, describe, expect, it } from "vitest";
import { buildConsistencyProof, signCheckpoint, parseSignerKey, generateNoteKey } from "../core/index.ts";
import { MemoryTree } from "../core/test-support.ts";
import { buildTestLog, flipByte, ORIGIN, type TestLog } from "./test-log.ts";
import type { VerifyEntry, VerifyLogInput } from "./types.ts";
import { verifyLog } from "./verify-log.ts";
import { type EntryCheckRequest, startEntryCheckWorkers } from "./entry-check-pool.ts";
import { itemAt } from "../../common/present.ts";

let log: TestLog;
beforeAll(async () => {
  log = await buildTestLog(40);
});

function input(entries: VerifyEntry[], over: Partial<VerifyLogInput> = {}): VerifyLogInput {
  return {
    entries,
    checkpoints: [log.checkpointAt(10), log.checkpointAt(20), log.checkpointAt(40)],
    eventKeys: log.eventKeys,
    checkpointKeys: [log.vkey],
    workers: 0,
    batchSize: 8,
    ...over,
  };
}

const entry = (i: number) => itemAt(log.entries, i, "the test log's entries");
const replace = (i: number, e: Partial<VerifyEntry>) => log.entries.map((x, j) => (j === i ? { ...x, ...e } : x));

describe("verifyLog", () => {
  it("passes a clean log, inline and with worker threads, in pages or one by one", async () => {
    const ok = { ok: true, size: 40, checkpoints: 3 };
    expect(await verifyLog(input(log.entries))).toMatchObject(ok);
    expect(await verifyLog(input(log.entries, { workers: 2 }))).toMatchObject(ok);
    const pages = [log.entries.slice(0, 13), log.entries.slice(13)];
    expect(await verifyLog(input([], { entries: pages, head: { size: 40, root: log.rootAt(40) } }))).toMatchObject(ok);
  });

  it("checks on threads the caller started, and leaves them running for the caller to close", async () => {
    const started = startEntryCheckWorkers(2);
    let batches = 0;
    const threads = { ...started, run: (request: EntryCheckRequest) => (batches++, started.run(request)) };
    try {
      expect(await verifyLog(input(log.entries, { checkWorkers: threads }))).toMatchObject({ ok: true, size: 40 });
      const tampered = replace(19, { canonical: flipByte(entry(19).canonical, 40) });
      expect(await verifyLog(input(tampered, { checkWorkers: threads }))).toMatchObject({ ok: false, index: 19, part: "canonical" });
      // The same threads answer a third run: verifyLog did not close them.
      expect(await verifyLog(input(log.entries, { checkWorkers: threads }))).toMatchObject({ ok: true, size: 40 });
      // 40 entries in batches of 8: every run sent its five batches to these threads (none was checked inline).
      expect(batches).toBe(15);
    } finally {
      await started.close();
    }
  });

  it("passes the empty log with a size-0 checkpoint", async () => {
    expect(await verifyLog(input([], { checkpoints: [log.checkpointAt(0)] }))).toMatchObject({ ok: true, size: 0, checkpoints: 1 });
  });

  it("locates a changed canonical byte, leaf hash byte and signature character", async () => {
    const canon = await verifyLog(input(replace(7, { canonical: flipByte(entry(7).canonical, 30) })));
    expect(canon).toMatchObject({ ok: false, index: 7, part: "canonical" });
    const leaf = await verifyLog(input(replace(12, { leafHash: flipByte(entry(12).leafHash, 0) }), { workers: 2 }));
    expect(leaf).toMatchObject({ ok: false, index: 12, part: "leaf_hash" });
    const sig = entry(25).signature;
    const at = sig.length - 20;
    const badSig = sig.slice(0, at) + (sig[at] === "A" ? "B" : "A") + sig.slice(at + 1);
    expect(await verifyLog(input(replace(25, { signature: badSig })))).toMatchObject({ ok: false, index: 25, part: "signature" });
  });

  it("refuses a signature whose last character only changes unused bits (non-canonical base64url)", async () => {
    const sig = entry(3).signature;
    const last = itemAt(sig, sig.length - 1, "the signature");
    const alt = "AQgw".includes(last) ? String.fromCharCode(last.charCodeAt(0) + 1) : last;
    if (alt === last) return; // the last character already carries no slack to abuse
    const res = await verifyLog(input(replace(3, { signature: sig.slice(0, -1) + alt })));
    expect(res).toMatchObject({ ok: false, index: 3, part: "signature" });
  });

  it("finds re-signed content with a recomputed leaf hash by its unknown key", async () => {
    const other = await buildTestLog(1);
    const forged = itemAt(other.entries, 0, "the other log's entries");
    const res = await verifyLog(input(replace(5, { canonical: forged.canonical, leafHash: forged.leafHash, signature: forged.signature })));
    expect(res).toMatchObject({ ok: false, index: 5, part: "signature" });
    expect((res as { reason: string }).reason).toMatch(/not among the published event keys/);
  });

  it("finds deleted, duplicated and reordered rows", async () => {
    const deleted = log.entries.filter((e) => e.index !== 9);
    expect(await verifyLog(input(deleted))).toMatchObject({ ok: false, index: 9, part: "order" });
    const dup = [...log.entries.slice(0, 6), entry(4), ...log.entries.slice(6)];
    expect(await verifyLog(input(dup))).toMatchObject({ ok: false, index: 4, part: "order" });
    // Swapping two rows' indexes keeps every row self-consistent; the signed roots give it away.
    const swapped = log.entries.map((e, i) => (i === 13 ? { ...entry(17), index: 13 } : i === 17 ? { ...entry(13), index: 17 } : e));
    const res = await verifyLog(input(swapped));
    expect(res).toMatchObject({ ok: false, part: "checkpoint", index: 10, checkpoint: { position: 1, size: 20 } });
    // With a checkpoint at every size the swap is located exactly.
    const every = Array.from({ length: 41 }, (_, n) => log.checkpointAt(n));
    expect(await verifyLog(input(swapped, { checkpoints: every }))).toMatchObject({ ok: false, part: "checkpoint", index: 13 });
  });

  it("finds entries deleted from the end against a later checkpoint and a claimed head", async () => {
    expect(await verifyLog(input(log.entries.slice(0, 35)))).toMatchObject({ ok: false, index: 35, part: "order" });
    const head = { size: 40, root: log.rootAt(40) };
    expect(await verifyLog(input(log.entries.slice(0, 35), { checkpoints: [], head }))).toMatchObject({ ok: false, part: "head" });
  });

  it("reports an entry problem before a later checkpoint problem", async () => {
    const bad = replace(3, { signature: "xx..yy" });
    const swapped = bad.map((e, i) =>
      i === 30 ? { ...itemAt(bad, 31, "entries"), index: 30 } : i === 31 ? { ...itemAt(bad, 30, "entries"), index: 31 } : e,
    );
    expect(await verifyLog(input(swapped, { workers: 2, batchSize: 4 }))).toMatchObject({ index: 3, part: "signature" });
  });

  it("checks every checkpoint: signature, origin, forks", async () => {
    const note = log.checkpointAt(20);
    const at = note.indexOf("\n") + 2; // a byte of the size line
    const tampered = note.slice(0, at) + (note[at] === "1" ? "2" : "1") + note.slice(at + 1);
    const res = await verifyLog(input(log.entries, { checkpoints: [log.checkpointAt(10), tampered] }));
    expect(res).toMatchObject({ ok: false, part: "checkpoint", checkpoint: { position: 1 } });

    const signer = parseSignerKey(generateNoteKey(ORIGIN).signerKey);
    const foreign = signCheckpoint({ origin: ORIGIN, size: 10, rootHash: log.rootAt(10) }, signer);
    expect(await verifyLog(input(log.entries, { checkpoints: [foreign] }))).toMatchObject({ ok: false, part: "checkpoint" });
    expect(await verifyLog(input(log.entries, { origin: "someone.else/log" }))).toMatchObject({ ok: false, part: "checkpoint" });

    // A fork: the same key signs size 20 with another root. Found before any entry is read.
    const key = parseSignerKey(generateNoteKey(ORIGIN).signerKey);
    const keys = [key.vkey];
    const honest = signCheckpoint({ origin: ORIGIN, size: 20, rootHash: log.rootAt(20) }, key);
    const fork = signCheckpoint({ origin: ORIGIN, size: 20, rootHash: log.rootAt(19) }, key);
    const forked = await verifyLog(input(log.entries, { checkpoints: [honest, fork], checkpointKeys: keys }));
    expect(forked).toMatchObject({ ok: false, part: "checkpoint", checkpoint: { position: 1, size: 20 } });
    expect((forked as { reason: string }).reason).toMatch(/fork/);
  });

  it("accepts a retired checkpoint key beside the current one", async () => {
    const newer = parseSignerKey(generateNoteKey(ORIGIN).signerKey);
    const later = signCheckpoint({ origin: ORIGIN, size: 40, rootHash: log.rootAt(40) }, newer);
    const res = await verifyLog(input(log.entries, { checkpoints: [log.checkpointAt(10), later], checkpointKeys: [log.vkey, newer.vkey] }));
    expect(res).toMatchObject({ ok: true, checkpoints: 2 });
  });

  it("checks served consistency proofs between consecutive checkpoints", async () => {
    const tree = new MemoryTree();
    tree.append(log.entries.map((e) => e.leafHash));
    const good = (m: number, n: number) => buildConsistencyProof(tree, m, n);
    expect(await verifyLog(input(log.entries, { consistencyProof: good }))).toMatchObject({ ok: true });
    const bad = async (m: number, n: number) => (await good(m, n)).map((h, i) => (i === 0 ? flipByte(h, 5) : h));
    expect(await verifyLog(input(log.entries, { consistencyProof: bad }))).toMatchObject({ ok: false, part: "consistency" });
  });
});
