// Offline verification of an evidence export with nothing but the file and a pinned key: no database, no network.
// Reads as the process: file → keys → checkpoints → events → signed statement → release → SBOM → safety case → summaries → export signature.
import type { EvidenceExport } from "./export-types.ts";
import { verifyDetachedJws } from "./jws.ts";
import { parsePinnedKey, type PinnedKey } from "./keys.ts";
import { checkEvidenceExport } from "./schemas.ts";
import { verifyCasePart } from "./verify-case-part.ts";
import { verifyLedgerPart } from "./verify-ledger-part.ts";
import { type Check, partOfPointer, Report } from "./verify-report.ts";

export interface VerifyResult {
  ok: boolean;
  /** The parts that failed, in the order checked (e.g. "events[3]", "sbom", "safetyCase.bundle"). */
  failedParts: string[];
  checks: Check[];
  release?: { id: string; repository: string; version: string };
  claims: Array<{ claim: string; statement: string; status: string; reason?: string }>;
  stats: { events: number; ms: number };
}

export async function verifyEvidenceFile(fileText: string, keyText: string): Promise<VerifyResult> {
  const started = performance.now();
  const report = new Report();
  const pinned = await report.step<PinnedKey>("key", "the pinned key parses", () => parsePinnedKey(keyText));
  let doc: EvidenceExport | undefined;
  try {
    doc = JSON.parse(fileText) as EvidenceExport;
  } catch (err) {
    report.fail("file", `not JSON: ${(err as Error).message}`);
  }
  if (!doc || !pinned) return finish(report, undefined, [], 0, started);

  const shape = checkEvidenceExport(doc);
  if (shape) report.fail(partOfPointer(shape.field), `schema: ${shape.message}`);
  else report.pass("format", "the file matches schemas/gsn/evidence-export.schema.json");

  const ledger = await verifyLedgerPart(doc, pinned, report);
  const casePart = await verifyCasePart(doc, ledger, report);

  // Last: the export signature covers every byte, including parts no other check reads (e.g. exportedAt).
  await report.step("exportSignature", "the export signature covers every byte of the file", async () => {
    // The signed bytes are the file up to its last member, "exportSignature", closed with "}".
    const marker = fileText.lastIndexOf(',"exportSignature":');
    if (marker < 0) throw new Error("the file does not end with its exportSignature member");
    const tail = fileText.slice(marker + ',"exportSignature":'.length).trimEnd();
    if (tail !== `${JSON.stringify(doc.exportSignature)}}`) throw new Error("exportSignature must be the file's last member");
    await verifyDetachedJws(doc.exportSignature, Buffer.from(`${fileText.slice(0, marker)}}`), ledger.eventKeys);
  });
  const r = casePart.statement?.predicate.release;
  return finish(report, r && { id: r.id, repository: r.repository, version: r.version }, casePart.claims, ledger.events.size, started);
}

function finish(report: Report, release: VerifyResult["release"], claims: VerifyResult["claims"], events: number, started: number): VerifyResult {
  const failedParts = [...new Set(report.failures.map((c) => c.part))];
  return { ok: report.ok, failedParts, checks: report.checks, release, claims, stats: { events, ms: Math.round(performance.now() - started) } };
}
