// Proof files: a C2SP tlog-proof carrying the event; verifies offline and refuses every altered part.
import { describe, expect, it } from "vitest";
import { buildInclusionProof, generateNoteKey, toBase64 } from "../core/index.ts";
import { MemoryTree } from "../core/test-support.ts";
import { formatProofFile, parseProofFile, PROOF_HEADER, verifyProofFile } from "./proof-file.ts";
import { buildTestLog } from "./test-log.ts";
import { itemAt } from "../../common/present.ts";

async function proofFor(index: number, size: number) {
  const log = await buildTestLog(size);
  const tree = new MemoryTree();
  tree.append(log.entries.map((e) => e.leafHash));
  const e = itemAt(log.entries, index, "the test log's entries");
  const text = formatProofFile({
    index,
    hashes: await buildInclusionProof(tree, index, size),
    checkpoint: log.checkpointAt(size),
    entry: { canonical: e.canonical, signature: e.signature },
  });
  return { log, text };
}

describe("proof file", () => {
  it("round-trips and verifies, with and without event keys", async () => {
    const { log, text } = await proofFor(5, 13);
    expect(text.startsWith(`${PROOF_HEADER}\nextra `)).toBe(true);
    expect(text).toContain("\nindex 5\n");
    expect(parseProofFile(text).hashes).toHaveLength(4);
    const res = verifyProofFile(text, { checkpointKeys: [log.vkey], eventKeys: log.eventKeys });
    expect(res).toMatchObject({ index: 5, size: 13, root: toBase64(log.rootAt(13)), eventSignature: "verified" });
    expect(res.event.payload).toEqual({ n: 5 });
    expect(verifyProofFile(text, { checkpointKeys: [log.vkey] }).eventSignature).toBe("not_checked");
  });

  it("verifies a single-entry tree (empty audit path)", async () => {
    const { log, text } = await proofFor(0, 1);
    expect(verifyProofFile(text, { checkpointKeys: [log.vkey] })).toMatchObject({ index: 0, size: 1 });
  });

  it("refuses a wrong key, index, hash, checkpoint or event", async () => {
    const { log, text } = await proofFor(6, 20);
    const keys = { checkpointKeys: [log.vkey], eventKeys: log.eventKeys };
    expect(() => verifyProofFile(text, { checkpointKeys: [generateNoteKey("maestro.test/ledger").vkey] })).toThrow(
      /no signature from a known key/,
    );
    expect(() => verifyProofFile(text.replace("\nindex 6\n", "\nindex 7\n"), keys)).toThrow();
    const lines = text.split("\n");
    const hashLine = lines.findIndex((l) => l.startsWith("index ")) + 1;
    lines[hashLine] = toBase64(new Uint8Array(32));
    expect(() => verifyProofFile(lines.join("\n"), keys)).toThrow(/root mismatch/);
    expect(() => verifyProofFile(text.replace(/\n20\n/, "\n21\n"), keys)).toThrow(/signature/);
    const other = await buildTestLog(1);
    const p = parseProofFile(text);
    const swapped = formatProofFile({
      ...p,
      entry: { ...p.entry, signature: itemAt(other.entries, 0, "the other log's entries").signature },
    });
    expect(() => verifyProofFile(swapped, keys)).toThrow(/event signature/);
    expect(() => verifyProofFile(text.replace(PROOF_HEADER, "c2sp.org/tlog-proof@v2"), keys)).toThrow(/first line/);
  });
});
