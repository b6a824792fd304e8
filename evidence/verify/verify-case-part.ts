// Offline checks of the release half of an evidence export, in the auditor guide's order (docs/governance/auditor-guide.md,
// section 3): the signed statement, the keys and tree it names, the events it cites, the release record, the SBOM, the
// safety case and its claims, the exception summaries.
import { decodeHash } from "../../ledger/core/index.ts";
import { canonicalBytes } from "../../ledger/event/envelope.ts";
import { type Classified, classifyEvents, releaseFromEvents, summarize } from "../formats/classify.ts";
import { cycloneDxProblem } from "../sbom/cyclonedx-schema.ts";
import type { EvidenceExport } from "../formats/export-types.ts";
import { gsnProblem } from "../formats/gsn-structure.ts";
import { type ClaimSetRef, claimKeysOf, claimSetOfCase } from "../formats/claim-sets.ts";
import { buildSafetyCase } from "../formats/safety-case.ts";
import { checkStatement } from "../formats/schemas.ts";
import { verifySafetyCaseBundle } from "../bundle/sigstore-bundle.ts";
import { jsonDigest, policyDigestsOf, sha256Digest } from "../formats/statement.ts";
import type { ClaimResult, EvidenceSet, ReleaseRecord, SafetyCaseStatement } from "../formats/types.ts";
import { checkConsistency, type LedgerPart } from "./verify-ledger-part.ts";
import { ensure, type Report } from "./verify-report.ts";

const same = (a: unknown, b: unknown): boolean => Buffer.from(canonicalBytes(a)).equals(Buffer.from(canonicalBytes(b)));

export interface CasePart {
  statement?: SafetyCaseStatement;
  claims: ClaimResult[];
  /** The claim set the signed case argues, once the claims step has read it. */
  claimSet?: number;
}

export interface CasePartOptions {
  /**
   * The oldest claim set the auditor accepts. Old exports argue fewer claims (set 1 has no secrets or licences claim),
   * and the case's own signature cannot say which set it should have argued: the operator's key signs either. Without
   * this, an export that argues an older set verifies as that set.
   */
  minClaimSet?: number;
}

/** The statement the Sigstore bundle signs, the key id it was signed with and the digest `release.published` attests. */
interface SignedStatement {
  statement: SafetyCaseStatement;
  hint: string;
  digest: string;
}

export async function verifyCasePart(
  doc: EvidenceExport,
  ledger: LedgerPart,
  report: Report,
  options: CasePartOptions = {},
): Promise<CasePart> {
  const signed = await checkSignedStatement(doc, ledger, report);
  if (!signed) return { claims: [] };
  const { statement } = signed;
  await checkStatementCheckpointKey(statement, ledger, report);
  await checkEvidenceTreeConsistency(doc, statement, ledger, report);
  await checkCitedEvents(statement, ledger, report);
  const classified = classifyReleaseEvents(statement, ledger);
  const release = await checkReleaseRecord(doc, signed, classified, report);
  await checkSbom(doc, statement, release, report);
  await checkSafetyCaseDocument(doc, statement, report);
  const evidence = evidenceSetOf(statement, classified);
  const { claims, claimSet } = await checkClaims(statement, evidence, release, report, options.minClaimSet);
  await checkExceptionSummaries(doc, evidence, report);
  return { statement, claims, ...(claimSet ? { claimSet: claimSet.version } : {}) };
}

/** safetyCase.bundle: the Sigstore bundle verifies with a trusted key, and its payload is an in-toto Statement v1. */
function checkSignedStatement(doc: EvidenceExport, ledger: LedgerPart, report: Report): Promise<SignedStatement | undefined> {
  return report.step("safetyCase.bundle", "Sigstore bundle v0.3 (DSSE) verifies with @sigstore/verify against the trusted key", () => {
    const { payload, hint } = verifySafetyCaseBundle(doc.safetyCase.bundle, ledger.eventKeys);
    const statement = JSON.parse(payload.toString("utf8")) as SafetyCaseStatement;
    const problem = checkStatement(statement);
    ensure(!problem, `in-toto statement: ${problem?.message}`);
    ensure(statement.predicate.keys.eventKid === hint, "statement names another signing key than the bundle");
    return { statement, hint, digest: sha256Digest(payload) };
  });
}

/**
 * keys: the checkpoint key the statement names is one the bundle carries. The statement is signed once, at publish, and
 * names the checkpoint key of that moment: it cannot follow a later `maestro keys rotate --purpose checkpoint`. So it
 * attests which log, by one specific key of it, the evidence tree belongs to, not which key signs the checkpoints of a
 * later export (the ledger keeps a retired key published, and checkpoint-trust.ts anchors every listed key to the
 * trusted one). A statement naming another log's key, or a key the ledger never published, still fails. Until the first
 * rotation the bundle carries one key and this is the equality it always was.
 */
function checkStatementCheckpointKey(statement: SafetyCaseStatement, ledger: LedgerPart, report: Report): Promise<void> {
  return report.step("keys", "the checkpoint key the signed statement names is one of the bundle's checkpoint keys", () =>
    ensure(
      ledger.checkpointKeys.includes(statement.predicate.keys.checkpointVkey),
      "the signed statement attests a checkpoint key the bundle does not carry",
    ),
  );
}

/** consistency: the tree the statement was built on is a prefix of the verified checkpoint (RFC 9162 §2.1.4). */
async function checkEvidenceTreeConsistency(doc: EvidenceExport, statement: SafetyCaseStatement, ledger: LedgerPart, report: Report) {
  const cp = ledger.checkpoint;
  if (!cp) return;
  const { tree } = statement.predicate.evidence;
  await report.step("consistency", "the statement's evidence tree is consistent with the checkpoint", () => {
    ensure(tree.origin === cp.origin, "evidence tree is from another log");
    const from = { origin: cp.origin, size: tree.size, root: decodeHash(tree.rootHash, "rootHash") };
    checkConsistency(doc.consistency.evidenceToCheckpoint, from, cp, "evidenceToCheckpoint");
  });
}

/** events: the file proves exactly the events the statement cites, plus the `release.published` event after its tree. */
function checkCitedEvents(statement: SafetyCaseStatement, ledger: LedgerPart, report: Report): Promise<void> {
  const { evidence } = statement.predicate;
  return report.step("events", "the bundle holds exactly the events the statement cites, plus the publish event", () => {
    const cited = new Set<number>();
    for (const ref of evidence.events) {
      cited.add(ref.index);
      const e = ledger.events.get(ref.index);
      ensure(e, `the statement cites ledger index ${ref.index}, which the bundle does not prove`);
      ensure(e.leafHash === ref.leafHash, `ledger index ${ref.index} is not the event the statement cites`);
    }
    for (const [index, e] of ledger.events) {
      ensure(
        cited.has(index) || (e.event.kind === "release.published" && index >= evidence.tree.size),
        `ledger index ${index} is not cited by the statement`,
      );
    }
  });
}

/** Sorts the verified events into the release's evidence (created, published, its publish decision, the set the claims read). */
function classifyReleaseEvents(statement: SafetyCaseStatement, ledger: LedgerPart): Classified {
  const { release, evidence } = statement.predicate;
  const created = ledger.events.get(release.created.index);
  const scope = (created?.event.payload ?? {}) as { sessions?: string[]; runsets?: string[] };
  return classifyEvents([...ledger.events.values()], {
    releaseId: release.id,
    sessions: scope.sessions ?? [],
    runsets: scope.runsets ?? [],
    publishDecisionId: evidence.publishDecision.id,
  });
}

/**
 * release: the record equals what `release.created` / `release.published` say; `release.published` attests this
 * statement's digest and key; the publish decision was an allow; the statement's subject is the artifacts.
 */
function checkReleaseRecord(doc: EvidenceExport, signed: SignedStatement, classified: Classified, report: Report) {
  const { statement } = signed;
  const { evidence } = statement.predicate;
  return report.step("release", "the release record matches its signed ledger events and the statement", (): ReleaseRecord => {
    ensure(
      classified.created && classified.created.index === statement.predicate.release.created.index,
      "release.created event is missing",
    );
    ensure(classified.published, "release.published event is missing: the release was not published");
    const record = releaseFromEvents(classified.created, classified.published);
    ensure(same(record, doc.release), "the release record differs from what its ledger events say");
    const p = record.published!;
    ensure(p.statementDigest === signed.digest, "the release.published event attests another statement");
    ensure(p.signerKid === signed.hint, "the release.published event names another signing key");
    ensure(p.decisionId === evidence.publishDecision.id && p.decisionIndex === evidence.publishDecision.index, "publish decision mismatch");
    ensure(classified.publishDecision?.index === p.decisionIndex, "the publish decision is not in the bundle");
    ensure(
      (classified.publishDecision.event.payload as { allow?: unknown }).allow === true,
      "the release.publish decision was not an allow",
    );
    ensure(p.tree.size === evidence.tree.size && p.tree.rootHash === evidence.tree.rootHash, "evidence tree mismatch");
    ensure(same(statement.subject, record.artifacts), "the statement's subject is not the release's artifacts");
    const r = statement.predicate.release;
    ensure(r.id === record.id && r.repository === record.repository && r.version === record.version, "statement names another release");
    for (const s of classified.stray) throw new Error(`ledger index ${s.index}: ${s.why}`);
    return record;
  });
}

/** sbom: its RFC 8785 SHA-256 is the signed digest, and it validates against the CycloneDX schema of its version. */
function checkSbom(doc: EvidenceExport, statement: SafetyCaseStatement, release: ReleaseRecord | undefined, report: Report) {
  const { sbom } = statement.predicate.evidence;
  return report.step("sbom", "SBOM matches the signed digest and validates against the CycloneDX schema", () => {
    ensure(same(sbom, release?.sbom ?? sbom), "the statement's SBOM is not the release's SBOM");
    if (sbom === null) return ensure(doc.sbom === null, "an SBOM is present but the statement attests none");
    ensure(doc.sbom !== null && typeof doc.sbom === "object", "the SBOM is missing");
    ensure(jsonDigest(doc.sbom) === sbom.digest, `SBOM digest ${jsonDigest(doc.sbom)} is not the signed ${sbom.digest}`);
    const problem = cycloneDxProblem(doc.sbom);
    ensure(!problem, `CycloneDX schema: ${problem?.message}`);
  });
}

/** safetyCase.document: the readable case is the signed one, and is well-formed GSN. */
function checkSafetyCaseDocument(doc: EvidenceExport, statement: SafetyCaseStatement, report: Report): Promise<void> {
  return report.step("safetyCase.document", "the readable safety case is the signed one and well-formed GSN", () => {
    const readable = doc.safetyCase.document as { nodes?: unknown[] } | undefined;
    const signedNodes = statement.predicate.safetyCase.nodes;
    // Name the first node that differs (a claim's status edited in the readable copy names that claim).
    const edited = signedNodes.find((n, i) => !same(n, readable?.nodes?.[i]));
    ensure(
      same(doc.safetyCase.document, statement.predicate.safetyCase),
      `the safety case differs from the signed one${edited ? ` at node ${edited.id} (${String(edited.claim ?? edited.statement)})` : ""}`,
    );
    const problem = gsnProblem(statement.predicate.safetyCase);
    ensure(!problem, `GSN: ${problem}`);
  });
}

/** What the claims are computed from: the classified events, with the SBOM and target the statement attests. */
function evidenceSetOf(statement: SafetyCaseStatement, classified: Classified): EvidenceSet {
  const { evidence, release } = statement.predicate;
  return { ...classified.set, sbom: evidence.sbom, target: { repository: release.repository, version: release.version } };
}

/**
 * safetyCase.claims: the case argues every claim of the claim set it names, and no other (a version this verifier does
 * not know fails closed); recomputing exactly those claims from the events gives the signed case, node for node.
 */
async function checkClaims(
  statement: SafetyCaseStatement,
  set: EvidenceSet,
  release: ReleaseRecord | undefined,
  report: Report,
  minClaimSet: number | undefined,
): Promise<{ claims: ClaimResult[]; claimSet?: ClaimSetRef }> {
  const { evidence } = statement.predicate;
  const signedCase = statement.predicate.safetyCase;
  let claimSet: ClaimSetRef | undefined;
  const claims = await report.step(
    "safetyCase.claims",
    () => claimsMessage(claimSet),
    () => {
      claimSet = claimSetOfCase(signedCase);
      if (minClaimSet !== undefined && claimSet.version < minClaimSet) {
        const lacking = newerClaims(claimSet.version, minClaimSet).join(", ");
        throw new Error(
          `the safety case argues claim set ${claimSet.version}, older than the required ${minClaimSet}: it does not argue ${lacking}`,
        );
      }
      ensure(same(policyDigestsOf(set.decisions), evidence.policyDigests), "policy digests in force do not match the decisions");
      ensure(release, "cannot recompute claims without a verified release");
      const recomputed = buildSafetyCase({
        claimSet,
        release,
        evidence: set,
        tree: evidence.tree,
        policyDigests: evidence.policyDigests,
        generatedAt: signedCase.generatedAt,
      });
      const differs = recomputed.nodes.find((n, i) => !same(n, signedCase.nodes[i]));
      ensure(
        !differs && same(recomputed, signedCase),
        `node ${differs?.id ?? "?"} (${String(differs?.claim ?? differs?.statement)}) does not match the events`,
      );
      return recomputed.nodes
        .filter((n) => n.type === "Goal")
        .map((n) => ({ claim: n.claim, statement: n.statement, status: n.status, reason: n.reason }) as unknown as ClaimResult);
    },
  );
  return { claims: claims ?? [], ...(claimSet ? { claimSet } : {}) };
}

/** The claims of set `required` that set `argued` lacks. */
function newerClaims(argued: number, required: number): string[] {
  const had = new Set<string>(claimKeysOf(argued));
  return claimKeysOf(required).filter((k) => !had.has(k));
}

function claimsMessage(claimSet: ClaimSetRef | undefined): string {
  if (!claimSet) return "every claim's status follows from the events";
  const n = claimKeysOf(claimSet.version).length;
  const which = claimSet.named ? `claim set ${claimSet.version}` : `claim set ${claimSet.version} (signed before claim sets were named)`;
  return `every claim of ${which}, all ${n}, is argued and its status follows from the events`;
}

/** waivers, holds, breakglass: each summary in the file equals what the events say. */
async function checkExceptionSummaries(doc: EvidenceExport, set: EvidenceSet, report: Report): Promise<void> {
  for (const [part, events] of [
    ["waivers", set.waivers],
    ["holds", set.holds],
    ["breakglass", set.breakglass],
  ] as const) {
    await report.step(part, `${part} summary matches the events`, () =>
      ensure(same(summarize(events), doc[part]), `${part} summary differs from the events`),
    );
  }
}
