// The shapes the evidence pipeline passes around: indexed ledger events, releases, claims, statements.
import type { LedgerEvent } from "../../ledger/event/envelope.ts";

export interface IndexedEvent {
  index: number;
  event: LedgerEvent;
}

export interface Artifact {
  name: string;
  digest: { sha256: string };
}

export interface SbomRef {
  digest: string;
  specVersion: string;
  source: "package-lock" | "cyclonedx-upload";
}

export interface TreeRef {
  origin: string;
  size: number;
  rootHash: string;
}

/** The release record (schemas/release/release.schema.json); derivable from its two ledger events. */
export interface ReleaseRecord {
  id: string;
  repository: string;
  version: string;
  artifacts: Artifact[];
  runsets: string[];
  sessions: string[];
  state: "draft" | "published";
  createdBy: string;
  createdAt: string;
  createdIndex: number;
  sbom: SbomRef | null;
  published: {
    at: string;
    by: string;
    index: number;
    decisionId: string;
    decisionIndex: number;
    statementDigest: string;
    signerKid: string;
    tree: { size: number; rootHash: string };
  } | null;
}

/** Evidence events sorted by category; the input of claim evaluation on both the signing and the verifying side. */
export interface EvidenceSet {
  decisions: IndexedEvent[];
  outcomes: IndexedEvent[];
  waivers: IndexedEvent[];
  holds: IndexedEvent[];
  breakglass: IndexedEvent[];
  policies: IndexedEvent[];
  sbom: SbomRef | null;
  /** What the release ships, to decide which holds cover it (policies/rego/match.rego: all, repository, release). */
  target: { repository: string; version: string };
}

export const CLAIM_KEYS = [
  "mediated",
  "denies-respected",
  "breakglass-reviewed",
  "tests-passed",
  "sbom-present",
  "no-active-hold",
  "policy-known",
  "no-unwaived-secret",
  "licences-compatible",
  "policy-mutation-score",
] as const;
export type ClaimKey = (typeof CLAIM_KEYS)[number];

export interface ClaimResult {
  claim: ClaimKey;
  statement: string;
  status: "supported" | "unsupported";
  reason?: string;
  /** Ledger indexes the claim rests on. */
  indexes: number[];
  /** Ledger indexes that contradict it. */
  counterexamples: number[];
}

export interface EventRef {
  index: number;
  leafHash: string;
}

export interface SafetyCaseStatement {
  _type: "https://in-toto.io/Statement/v1";
  subject: Artifact[];
  predicateType: "https://maestro.dev/attestations/safety-case/v1";
  predicate: {
    release: { id: string; repository: string; version: string; created: EventRef };
    safetyCase: SafetyCaseDocument;
    evidence: {
      tree: TreeRef;
      events: EventRef[];
      sbom: SbomRef | null;
      publishDecision: { id: string; index: number };
      policyDigests: string[];
    };
    keys: { eventKid: string; checkpointVkey: string };
  };
}

export interface GsnNode {
  id: string;
  type: "Goal" | "Strategy" | "Solution" | "Context" | "Assumption" | "Justification";
  statement: string;
  [key: string]: unknown;
}

export interface GsnLink {
  type: "SupportedBy" | "InContextOf";
  from: string;
  to: string;
}

export interface SafetyCaseDocument {
  schema: "https://maestro.dev/schemas/gsn/safety-case/v1";
  /** The claim set the case argues (evidence/formats/claim-sets.ts); absent in cases signed before claim sets had versions. */
  claimSet?: number;
  release: string;
  generatedAt: string;
  tree: TreeRef;
  nodes: GsnNode[];
  links: GsnLink[];
}

export const STATEMENT_TYPE = "https://in-toto.io/Statement/v1";
export const PREDICATE_TYPE = "https://maestro.dev/attestations/safety-case/v1";
export const CASE_SCHEMA = "https://maestro.dev/schemas/gsn/safety-case/v1";
/** DSSE payloadType for in-toto statements (in-toto attestation spec, envelope.md). */
export const INTOTO_PAYLOAD_TYPE = "application/vnd.in-toto+json";
export const EXPORT_FORMAT = "maestro.evidence/v1";
