// Public entry of the pure evidence package: what the CLI, the server and auditors' scripts may import (no database, no HTTP).
export { classifyEvents, releaseFromEvents, summarize, type Classified, type ExceptionSummary } from "./formats/classify.ts";
export { evaluateClaims } from "./formats/claims.ts";
export { CURRENT_CLAIM_SET, KNOWN_CLAIM_SETS } from "./formats/claim-sets.ts";
export { cycloneDxProblem, SUPPORTED_SPEC_VERSIONS } from "./sbom/cyclonedx-schema.ts";
export { EXPORT_PARTS, type EvidenceExport, type ExportedEvent } from "./formats/export-types.ts";
export { gsnProblem } from "./formats/gsn-structure.ts";
export { formatVkeyList, parsePinnedKey } from "./verify/keys.ts";
export { buildSafetyCase } from "./formats/safety-case.ts";
export { checkReleaseCreate, checkSafetyCase, RELEASE_SCHEMAS } from "./formats/schemas.ts";
export { BUNDLE_V03_MEDIA_TYPE, verifySafetyCaseBundle } from "./bundle/sigstore-bundle.ts";
export { signStatement, type SignedCase } from "./bundle/case-signer.ts";
export { sbomFromPackageLock } from "./sbom/sbom-from-lock.ts";
export { buildStatement, jsonDigest, policyDigestsOf, sha256Digest } from "./formats/statement.ts";
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
} from "./formats/types.ts";
export { verifyEvidenceFile } from "./verify/node-platform.ts";
export type { VerifyResult } from "./verify/verify-evidence.ts";
