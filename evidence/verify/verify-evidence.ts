// Offline verification of an evidence export with nothing but the file and a pinned key: no database, no network.
// verifyText reads as docs/governance/auditor-guide.md, section 3: format → keys → checkpoints → consistency → witness →
// events → signed statement → release → SBOM → safety case → summaries → export signature. Speed tricks (signature
// workers, the inclusion memo, checking the release half while signatures settle) live behind the named steps.
// The platform's cryptography comes in through verify-platform.ts: node-platform.ts for the CLI, webcrypto-platform.ts
// for a browser; nothing here imports node: modules, so the console bundles this very file.
import { newestWitnessed, type WitnessRequirement } from "../../ledger/verify/witness-quorum.ts";
import type { EvidenceExport } from "../formats/export-types.ts";
import { exportSignedBytes } from "./export-signed-bytes.ts";
import { DetachedJwsVerifier } from "./jws.ts";
import { parsePinnedKey, type PinnedKey } from "./keys.ts";
import { checkEvidenceExport } from "../formats/schemas.ts";
import { type CasePart, type CasePartOptions, verifyCasePart } from "./verify-case-part.ts";
import {
  checkCheckpointConsistency,
  checkCheckpoints,
  checkEvents,
  checkKeys,
  type PendingLedgerPart,
  type TrustedKeys,
} from "./verify-ledger-part.ts";
import type { EventSignatureCheck, VerifyPlatform } from "./verify-platform.ts";
import { type Check, partOfPointer, Report } from "./verify-report.ts";

export interface VerifyResult {
  ok: boolean;
  /** The parts that failed, in the order checked (e.g. "events[3]", "sbom", "safetyCase.bundle"). */
  failedParts: string[];
  checks: Check[];
  release?: { id: string; repository: string; version: string };
  claims: Array<{ claim: string; statement: string; status: string; reason?: string }>;
  /** The claim set the safety case argues (evidence/formats/claim-sets.ts), once read. */
  claimSet?: number;
  stats: { events: number; ms: number };
}

export interface VerifyEvidenceOptions {
  /** Require K of these witnesses (cosigner vkeys) to have cosigned the checkpoint or the latest checkpoint. */
  witnesses?: WitnessRequirement;
  /** Called with each check as it is recorded, in the report's order. */
  onCheck?: (check: Check) => void;
  /** Fail unless the safety case argues this claim set or a newer one (see CasePartOptions). */
  minClaimSet?: number;
}

export async function verifyEvidence(
  fileText: string,
  keyText: string,
  platform: VerifyPlatform,
  options: VerifyEvidenceOptions = {},
): Promise<VerifyResult> {
  // Started before anything else, so the workers (on Node) boot while this thread parses the file.
  const signatures = platform.eventSignatures(fileText.length);
  try {
    return await verifyText(fileText, keyText, platform, signatures, options);
  } finally {
    await signatures.close();
  }
}

/** The auditor guide's section 3, part by part, in its order: each line is one row of its table. */
async function verifyText(
  fileText: string,
  keyText: string,
  platform: VerifyPlatform,
  signatures: EventSignatureCheck,
  options: VerifyEvidenceOptions,
): Promise<VerifyResult> {
  const started = performance.now();
  const report = new Report(options.onCheck);
  const input = await readInput(fileText, keyText, report);
  if (!input) return finish(report, undefined, [], 0, started);
  const { doc, pinned } = input;

  checkFormat(doc, report);
  const keys = await checkKeys(doc, pinned, report);
  const trees = checkCheckpoints(doc, keys, report);
  await checkCheckpointConsistency(doc, trees, report);
  if (options.witnesses) checkWitnesses(doc, options.witnesses, report);
  const events = checkEvents(doc, keys, trees, signatures);
  const exportSignature = startExportSignatureCheck(fileText, doc, keys, platform);
  const casePart = await checkReleaseHalfWhileSignaturesSettle(doc, events, report, { minClaimSet: options.minClaimSet });
  await reportExportSignature(exportSignature, report);

  const r = casePart.statement?.predicate.release;
  const release = r && { id: r.id, repository: r.repository, version: r.version };
  const claimSet = casePart.claimSet === undefined ? {} : { claimSet: casePart.claimSet };
  return { ...finish(report, release, casePart.claims, events.part.events.size, started), ...claimSet };
}

/** key, file: the pinned key parses and the file is JSON. */
async function readInput(
  fileText: string,
  keyText: string,
  report: Report,
): Promise<{ doc: EvidenceExport; pinned: PinnedKey } | undefined> {
  const pinned = await report.step<PinnedKey>("key", "the pinned key parses", () => parsePinnedKey(keyText));
  let doc: EvidenceExport | undefined;
  try {
    doc = JSON.parse(fileText) as EvidenceExport;
  } catch (err) {
    report.fail("file", `not JSON: ${(err as Error).message}`);
  }
  return doc && pinned ? { doc, pinned } : undefined;
}

/** format: the file matches schemas/gsn/evidence-export.schema.json; a failure names the part the schema points at. */
function checkFormat(doc: EvidenceExport, report: Report): void {
  const shape = checkEvidenceExport(doc);
  if (shape) report.fail(partOfPointer(shape.field), `schema: ${shape.message}`);
  else report.pass("format", "the file matches schemas/gsn/evidence-export.schema.json");
}

/**
 * events, then safetyCase.bundle to the summaries. Speed: the release half is checked while the workers finish the
 * event signatures, into a report of its own, trusting every event whose bytes and proof held. If any signature then
 * fails, that event must not support a claim: the release half is checked again without it, into the report itself.
 */
async function checkReleaseHalfWhileSignaturesSettle(
  doc: EvidenceExport,
  events: PendingLedgerPart,
  report: Report,
  options: CasePartOptions,
): Promise<CasePart> {
  const optimistic = new Report();
  const casePart = await verifyCasePart(doc, events.part, optimistic, options);
  const rejected = await events.settleSignatures(report);
  if (rejected > 0) return verifyCasePart(doc, events.part, report, options);
  report.record(...optimistic.checks);
  return casePart;
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

/**
 * exportSignature, started early: its Ed25519 check over every byte of the file runs off this thread (libuv's pool, or
 * the browser's WebCrypto) while the other parts are checked. Resolves to the reason it fails, or undefined; never
 * rejects (it is awaited last).
 */
function startExportSignatureCheck(
  fileText: string,
  doc: EvidenceExport,
  keys: TrustedKeys,
  platform: VerifyPlatform,
): Promise<Error | undefined> {
  const jws = new DetachedJwsVerifier(keys.eventKeys, platform);
  // The signed bytes are the file up to its last member, "exportSignature", closed with "}".
  const marker = fileText.lastIndexOf(',"exportSignature":');
  if (marker < 0) return Promise.resolve(new Error("the file does not end with its exportSignature member"));
  const tail = fileText.slice(marker + ',"exportSignature":'.length).trimEnd();
  if (tail !== `${JSON.stringify(doc.exportSignature)}}`)
    return Promise.resolve(new Error("exportSignature must be the file's last member"));
  return jws.verify(doc.exportSignature, exportSignedBytes(fileText, marker)).then(
    () => undefined,
    (err: Error) => err,
  );
}

/** exportSignature, reported last: it covers every byte, including parts no other check reads (e.g. exportedAt). */
async function reportExportSignature(check: Promise<Error | undefined>, report: Report): Promise<void> {
  await report.step("exportSignature", "the export signature covers every byte of the file", async () => {
    const error = await check;
    if (error) throw error;
  });
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
