import { describe, expect, it } from "vitest";
import { count, durationWords, fromNow, table } from "./format.ts";

describe("CLI formatting", () => {
  it("counts with the right plural", () => {
    expect(count(1, "signed checkpoint")).toBe("1 signed checkpoint");
    expect(count(2, "signed checkpoint")).toBe("2 signed checkpoints");
    expect(count(0, "entry", "entries")).toBe("0 entries");
  });

  it("says durations and instants in words", () => {
    expect(durationWords(5400)).toBe("1 hour and 30 minutes");
    expect(durationWords(7200)).toBe("2 hours");
    const now = Date.parse("2026-12-03T10:00:00Z");
    expect(fromNow("2026-12-03T12:00:00Z", now)).toBe("in 2 hours");
    expect(fromNow("2026-12-03T09:57:00Z", now)).toBe("3 minutes ago");
  });

  it("aligns columns under the header", () => {
    expect(
      table(
        ["ID", "STATE", "REASON"],
        [
          ["w-1", "active", "hotfix"],
          ["w-22", "expired", "x"],
        ],
      ),
    ).toBe("ID    STATE    REASON\nw-1   active   hotfix\nw-22  expired  x\n");
  });
});
