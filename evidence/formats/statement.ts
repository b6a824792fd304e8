// Builds the in-toto Statement v1 that carries a release's safety case, and the digests that tie documents together.
import { createHash } from "node:crypto";
import { canonicalBytes } from "../../ledger/event/envelope.ts";
import {
  PREDICATE_TYPE,
  STATEMENT_TYPE,
  type Artifact,
  type EventRef,
  type SafetyCaseDocument,
  type SafetyCaseStatement,
  type SbomRef,
  type TreeRef,
} from "./types.ts";

/** "sha256:<hex>" of raw bytes. */
export function sha256Digest(bytes: Uint8Array): string {
  return `sha256:${createHash("sha256").update(bytes).digest("hex")}`;
}

/** "sha256:<hex>" of a JSON value's RFC 8785 bytes: how SBOMs are identified. */
export function jsonDigest(value: unknown): string {
  return sha256Digest(canonicalBytes(value));
}

export interface StatementInput {
  release: { id: string; repository: string; version: string; artifacts: Artifact[]; created: EventRef };
  safetyCase: SafetyCaseDocument;
  tree: TreeRef;
  events: EventRef[];
  sbom: SbomRef | null;
  publishDecision: { id: string; index: number };
  policyDigests: string[];
  keys: { eventKid: string; checkpointVkey: string };
}

export function buildStatement(input: StatementInput): SafetyCaseStatement {
  const { release } = input;
  return {
    _type: STATEMENT_TYPE,
    // The subject is what ships: each artifact by name and SHA-256 (in-toto ResourceDescriptor).
    subject: release.artifacts.map((a) => ({ name: a.name, digest: { sha256: a.digest.sha256 } })),
    predicateType: PREDICATE_TYPE,
    predicate: {
      release: { id: release.id, repository: release.repository, version: release.version, created: release.created },
      safetyCase: input.safetyCase,
      evidence: {
        tree: input.tree,
        events: [...input.events].sort((a, b) => a.index - b.index),
        sbom: input.sbom,
        publishDecision: input.publishDecision,
        policyDigests: input.policyDigests,
      },
      keys: input.keys,
    },
  };
}

/** The sorted, distinct policy digests the release's decisions cite. */
export function policyDigestsOf(decisions: Array<{ event: { payload: Record<string, unknown> } }>): string[] {
  const digests = decisions
    .map((d) => (d.event.payload.policy as { digest?: unknown } | undefined)?.digest)
    .filter((d): d is string => typeof d === "string");
  return [...new Set(digests)].sort();
}
