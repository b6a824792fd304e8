// The evidence export file (schemas/gsn/evidence-export.schema.json): one release's evidence, proofs and keys in one JSON document.
import type { JWK } from "jose";
import type { ExceptionSummary } from "./classify.ts";
import type { ReleaseRecord, SafetyCaseDocument } from "./types.ts";

export interface ExportedEvent {
  index: number;
  /** base64 of the exact RFC 8785 bytes that were hashed and signed. */
  canonical: string;
  /** JWS with detached payload over the event's canonical bytes. */
  signature: string;
  /** RFC 6962 audit path (base64 hashes) to the `checkpoint` root. */
  proof: string[];
}

export interface ExportedConsistency {
  from: number;
  to: number;
  hashes: string[];
}

export interface EvidenceExport {
  format: "maestro.evidence/v1";
  exportedAt: string;
  release: ReleaseRecord;
  /**
   * `vkey`: the log's checkpoint verifier keys (C2SP signed-note vkeys), one per line, the current key first, then the
   * retired ones the ledger still publishes: a single line until the first `maestro keys rotate --purpose checkpoint`.
   */
  keys: { jwks: { keys: JWK[] }; vkey: string };
  checkpoint: string;
  latestCheckpoint: string;
  consistency: { evidenceToCheckpoint: ExportedConsistency; checkpointToLatest: ExportedConsistency };
  events: ExportedEvent[];
  safetyCase: { bundle: Record<string, unknown>; document: SafetyCaseDocument };
  sbom: Record<string, unknown> | null;
  waivers: ExceptionSummary[];
  holds: ExceptionSummary[];
  breakglass: ExceptionSummary[];
  exportSignature: string;
}

/** The parts an auditor (and `maestro evidence verify`) names when something does not hold. */
export const EXPORT_PARTS = [
  "format",
  "exportedAt",
  "release",
  "keys",
  "checkpoint",
  "latestCheckpoint",
  "consistency",
  "events",
  "safetyCase.bundle",
  "safetyCase.document",
  "sbom",
  "waivers",
  "holds",
  "breakglass",
  "exportSignature",
] as const;
