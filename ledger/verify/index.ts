// Public surface of the offline verifier: whole-log verification, proof files, event signatures.
export { checkStoredRows, type CheckpointRow, type CosignatureRow, type KeyRow, type StoredRows } from "./stored-rows.ts";
export type { RowMismatch, VerifyEntry, VerifyLogInput, VerifyOk, VerifyProblem, VerifyResult, ProblemPart } from "./types.ts";
export { verifyLog } from "./verify-log.ts";
export { type EntryCheckWorkers, startEntryCheckWorkers } from "./entry-check-pool.ts";
export type { LevelReader, StoredHash } from "./verify-nodes.ts";
export { CompactRange } from "./compact-range.ts";
export { checkEventSignature, eventKeySet, type EventKeys } from "./event-signature.ts";
export { openCheckpoints, type OpenedCheckpoint } from "./checkpoint-set.ts";
export { formatProofFile, parseProofFile, verifyProofFile, PROOF_HEADER, type ProofFile, type ProofFileResult } from "./proof-file.ts";
export { newestWitnessed, type WitnessedSize, type WitnessRequirement } from "./witness-quorum.ts";
