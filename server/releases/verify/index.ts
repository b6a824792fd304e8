// Public entry of the pure evidence package: what the CLI, the server and auditors' scripts may import (no database, no HTTP).
export { classifyEvents, releaseFromEvents, summarize, type ExceptionSummary } from "./classify.ts";
export { evaluateClaims } from "./claims.ts";
export { cycloneDxProblem, SUPPORTED_SPEC_VERSIONS } from "./cyclonedx-schema.ts";
export { EXPORT_PARTS, type EvidenceExport, type ExportedEvent } from "./export-types.ts";
export { gsnProblem } from "./gsn-structure.ts";
export { parsePinnedKey } from "./keys.ts";
export { buildSafetyCase } from "./safety-case.ts";
export { checkReleaseCreate, checkSafetyCase, RELEASE_SCHEMAS } from "./schemas.ts";
export { BUNDLE_V03_MEDIA_TYPE, verifySafetyCaseBundle } from "./sigstore-bundle.ts";
export { buildStatement, jsonDigest, policyDigestsOf, sha256Digest } from "./statement.ts";
export {
  CASE_SCHEMA,
  CLAIM_KEYS,
  EXPORT_FORMAT,
  INTOTO_PAYLOAD_TYPE,
  PREDICATE_TYPE,
  STATEMENT_TYPE,
  type Artifact,
  type ClaimKey,
  type ClaimResult,
  type EventRef,
  type EvidenceSet,
  type IndexedEvent,
  type ReleaseRecord,
  type SafetyCaseDocument,
  type SafetyCaseStatement,
  type SbomRef,
  type TreeRef,
} from "./types.ts";
export { verifyEvidenceFile, type VerifyResult } from "./verify-evidence.ts";
