// The verifier's compact range gives the same roots as the append path (computeAppend) and RFC 9162's definition.
import { describe, expect, it } from "vitest";
import { EMPTY_ROOT, toBase64 } from "../core/index.ts";
import { MemoryTree, makeLeaves, refRoot } from "../core/test-support.ts";
import { CompactRange } from "./compact-range.ts";

describe("CompactRange", () => {
  it("matches computeAppend and the reference MTH at every size up to 300", () => {
    const leaves = makeLeaves(300, 7);
    const range = new CompactRange();
    const tree = new MemoryTree();
    expect(range.root()).toEqual(EMPTY_ROOT);
    for (const [i, leaf] of leaves.entries()) {
      range.append(leaf);
      const appended = tree.append([leaf]);
      expect(toBase64(range.root())).toBe(toBase64(appended));
      if (i % 37 === 0) expect(toBase64(range.root())).toBe(toBase64(refRoot(leaves.slice(0, i + 1))));
    }
    expect(range.size).toBe(300);
  });
});
