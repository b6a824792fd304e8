// The console's in-page checkpoint check (WebCrypto, which Node has too) against notes ledger/core signs: keys whose
// base64 holds "+" (about half of them; the vkey is name+id+base64) open as well, and a changed note does not.
import { describe, expect, it } from "vitest";
import { generateNoteKey, parseSignerKey, signCheckpoint } from "../../ledger/core/index.ts";
import { openCheckpointNote } from "../../console/client/ledger-checks.ts";

/** A log key of each kind: one whose vkey's base64 holds a "+", and one whose does not. */
function keys(): Array<{ signerKey: string; vkey: string }> {
  const found = new Map<boolean, { signerKey: string; vkey: string }>();
  while (found.size < 2) {
    const key = generateNoteKey("maestro.test/log");
    found.set(key.vkey.split("+").length > 3, key);
  }
  return [...found.values()];
}

describe("openCheckpointNote", () => {
  it("opens a checkpoint ledger/core signed, whatever characters the key's base64 holds", async () => {
    for (const { signerKey, vkey } of keys()) {
      const root = new Uint8Array(32).fill(9);
      const note = signCheckpoint({ origin: "maestro.test/log", size: 42, rootHash: root }, parseSignerKey(signerKey));
      const opened = await openCheckpointNote(note, vkey);
      expect(opened.checkpoint).toEqual({ origin: "maestro.test/log", size: 42, root });
      expect(opened.signers).toEqual(["maestro.test/log"]);
      await expect(openCheckpointNote(note.replace("\n42\n", "\n43\n"), vkey), vkey).rejects.toThrow(/does not verify/);
      await expect(openCheckpointNote(note, keys()[0]!.vkey.replace(/\+[0-9a-f]{8}\+/, "+00000000+"))).rejects.toThrow(/no signature by/);
    }
  });
});
