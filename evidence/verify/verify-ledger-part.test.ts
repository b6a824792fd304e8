// An event entry that fails (a duplicate ledger index, a forged copy) is reported alone: the valid event with that
// index stays proven and keeps supporting the release half. Uses the committed claim-set-1 export (tests/fixtures).
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { verifyEvidenceFile } from "./node-platform.ts";

const FIXTURE = new URL("../../tests/fixtures/evidence-claim-set-1/", import.meta.url);
const exportText = readFileSync(new URL("export.json", FIXTURE), "utf8");
const jwks = readFileSync(new URL("jwks.json", FIXTURE), "utf8");

describe("checkEvents with two entries for one ledger index", () => {
  it("the fixture verifies untouched", async () => {
    expect((await verifyEvidenceFile(exportText, jwks)).failedParts).toEqual([]);
  });

  it("a second copy of a valid event fails alone; the first stays proven and the release half still verifies", async () => {
    const doc = JSON.parse(exportText);
    const n = doc.events.length;
    doc.events.push(structuredClone(doc.events[0]));
    const result = await verifyEvidenceFile(JSON.stringify(doc), jwks);
    // The export signature covers the file, so it fails too; nothing between does.
    expect(result.failedParts).toEqual([`events[${n}]`, "exportSignature"]);
    expect(result.checks.find((c) => c.part === `events[${n}]`)?.message).toBe(
      `ledger index ${doc.events[0].index}: appears twice (first at events[0])`,
    );
    expect(result.stats.events).toBe(n);
  });

  it("a forged entry with a valid event's index, placed first, fails alone and the valid one after it is kept", async () => {
    const doc = JSON.parse(exportText);
    const n = doc.events.length;
    const forged = structuredClone(doc.events[1]);
    const canonical = JSON.parse(Buffer.from(forged.canonical, "base64").toString("utf8"));
    canonical.time = "2020-01-01T00:00:00.000Z";
    forged.canonical = Buffer.from(JSON.stringify(canonical)).toString("base64");
    doc.events.unshift(forged);
    const result = await verifyEvidenceFile(JSON.stringify(doc), jwks);
    expect(result.failedParts).toEqual(["events[0]", "exportSignature"]);
    expect(result.checks.find((c) => c.part === "events[0]")?.message).toMatch(/inclusion proof of ledger index \d+ fails/);
    expect(result.stats.events).toBe(n);
  });
});
