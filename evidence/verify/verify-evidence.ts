// Offline verification of an evidence export with nothing but the file and a pinned key: no database, no network.
// Reads as the process: file → keys → checkpoints → events → signed statement → release → SBOM → safety case → summaries → export signature.
import { availableParallelism } from "node:os";
import { newestWitnessed, type WitnessRequirement } from "../../ledger/verify/index.ts";
import { EventSignatureChecks } from "./event-signatures.ts";
import type { EvidenceExport } from "../formats/export-types.ts";
import { DetachedJwsVerifier } from "./jws.ts";
import { parsePinnedKey, type PinnedKey } from "./keys.ts";
import { checkEvidenceExport } from "../formats/schemas.ts";
import { verifyCasePart } from "./verify-case-part.ts";
import { checkKeys, verifyLedgerPart } from "./verify-ledger-part.ts";
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

/** From this size (about 600 events) event signatures are checked on worker threads. */
const LARGE_EXPORT = 1 << 20;

export interface VerifyEvidenceOptions {
  /** Require K of these witnesses (cosigner vkeys) to have cosigned the checkpoint or the latest checkpoint. */
  witnesses?: WitnessRequirement;
}

export async function verifyEvidenceFile(fileText: string, keyText: string, options: VerifyEvidenceOptions = {}): Promise<VerifyResult> {
  // Started before anything else, so the workers boot while this thread parses the file.
  // This thread checks signatures too, once its own work is done: one worker per other core.
  const signatures = new EventSignatureChecks(fileText.length >= LARGE_EXPORT ? availableParallelism() - 1 : 0);
  try {
    return await verifyText(fileText, keyText, signatures, options);
  } finally {
    await signatures.close();
  }
}

async function verifyText(
  fileText: string,
  keyText: string,
  signatures: EventSignatureChecks,
  options: VerifyEvidenceOptions,
): Promise<VerifyResult> {
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

  // Reported here, checked once the events are queued: the signature workers get their first batch ~40 ms sooner.
  const formatAt = report.checks.length;
  const keys = await checkKeys(doc, pinned, report);
  const pending = await verifyLedgerPart(doc, keys, report, signatures);
  const ledger = pending.part;
  if (options.witnesses) checkWitnesses(doc, options.witnesses, report);
  const shape = checkEvidenceExport(doc);
  if (shape) report.insert(formatAt, { part: partOfPointer(shape.field), ok: false, message: `schema: ${shape.message}` });
  else report.insert(formatAt, { part: "format", ok: true, message: "the file matches schemas/gsn/evidence-export.schema.json" });
  // Its Ed25519 check over all 16 MB runs on libuv's pool while the release half is checked here.
  const exportSignature = checkExportSignature(fileText, doc, new DetachedJwsVerifier(keys.eventKeys));
  // The release half runs while the worker finishes the signatures, into its own report. If any event's signature
  // fails, that event must not support a claim: the release half is checked again without it.
  const optimistic = new Report();
  let casePart = await verifyCasePart(doc, ledger, optimistic);
  const rejected = await pending.settleSignatures(report);
  if (rejected === 0) report.checks.push(...optimistic.checks);
  else casePart = await verifyCasePart(doc, ledger, report);

  // Reported last: the export signature covers every byte, including parts no other check reads (e.g. exportedAt).
  await report.step("exportSignature", "the export signature covers every byte of the file", async () => {
    const error = await exportSignature;
    if (error) throw error;
  });
  const r = casePart.statement?.predicate.release;
  return finish(report, r && { id: r.id, repository: r.repository, version: r.version }, casePart.claims, ledger.events.size, started);
}

/**
 * The checkpoint or the latest checkpoint (whose signatures and consistency the ledger part checks) must carry
 * cosignatures from a quorum of the pinned witnesses: then the release's evidence lies inside a tree those witnesses
 * saw, and no other history under this log's key and origin can have been shown to them.
 */
function checkWitnesses(doc: EvidenceExport, req: WitnessRequirement, report: Report): void {
  try {
    const notes = [doc.checkpoint, doc.latestCheckpoint].filter((n): n is string => typeof n === "string");
    const found = newestWitnessed(notes, req);
    if (!found) throw new Error(`neither checkpoint carries cosignatures from ${req.quorum} of the ${req.vkeys.length} pinned witness(es)`);
    report.pass(
      "witness",
      `the checkpoint of size ${found.size} is cosigned by ${found.cosigners.join(", ")} (quorum ${req.quorum} of ${req.vkeys.length})`,
    );
  } catch (err) {
    report.fail("witness", (err as Error).message);
  }
}

/** Resolves to the reason the export signature fails, or undefined; never rejects (it is awaited late). */
function checkExportSignature(fileText: string, doc: EvidenceExport, jws: DetachedJwsVerifier): Promise<Error | undefined> {
  // The signed bytes are the file up to its last member, "exportSignature", closed with "}".
  const marker = fileText.lastIndexOf(',"exportSignature":');
  if (marker < 0) return Promise.resolve(new Error("the file does not end with its exportSignature member"));
  const tail = fileText.slice(marker + ',"exportSignature":'.length).trimEnd();
  if (tail !== `${JSON.stringify(doc.exportSignature)}}`)
    return Promise.resolve(new Error("exportSignature must be the file's last member"));
  return jws.verify(doc.exportSignature, Buffer.from(`${fileText.slice(0, marker)}}`)).then(
    () => undefined,
    (err: Error) => err,
  );
}

function finish(
  report: Report,
  release: VerifyResult["release"],
  claims: VerifyResult["claims"],
  events: number,
  started: number,
): VerifyResult {
  const failedParts = [...new Set(report.failures.map((c) => c.part))];
  return {
    ok: report.ok,
    failedParts,
    checks: report.checks,
    release,
    claims,
    stats: { events, ms: Math.round(performance.now() - started) },
  };
}
