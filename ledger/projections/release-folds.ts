// Folds of a release's events: created (a draft row; its SBOM document attached, named by digest) and published (the
// row moves from draft to published; its signed bundle attached, named by the digest of the statement it signs).
import { MaestroError } from "../../common/errors.ts";
import { canonicalJson } from "../event/canonical-json.ts";
import type { LedgerEvent } from "../event/envelope.ts";
import { FoldRefused, type ProjectionView, type RowChange } from "./row-change.ts";

interface CreatedPayload {
  repository: string;
  version: string;
  artifacts: unknown[];
  runsets: string[];
  sessions: string[];
  sbom: { digest: string } | null;
}

export function foldReleaseCreated(event: LedgerEvent, index: number): RowChange[] {
  const p = event.payload as unknown as CreatedPayload;
  return [
    {
      op: "insert",
      table: "releases",
      key: { id: event.subject!.id },
      values: {
        repository: p.repository,
        version: p.version,
        artifacts: canonicalJson(p.artifacts),
        runsets: canonicalJson(p.runsets),
        sessions: canonicalJson(p.sessions),
        state: "draft",
        created_by: event.actor.id,
        created_at: event.time,
        created_index: index,
        sbom: p.sbom?.digest ?? null,
        sbom_ref: p.sbom ? canonicalJson(p.sbom) : null,
        published: null,
        published_at: null,
        published_by: null,
        published_index: null,
        bundle: null,
      },
    },
  ];
}

export function foldReleasePublished(event: LedgerEvent, index: number, view: ProjectionView): RowChange[] {
  const p = event.payload as { statementDigest: string };
  const key = { id: event.subject!.id };
  const row = view.get("releases", key);
  if (row === null || row.state !== "draft") {
    const message = `release ${key.id} was published concurrently`;
    throw new FoldRefused("mismatch", message, new MaestroError("conflict", message, { field: "id" }));
  }
  return [
    {
      op: "update",
      table: "releases",
      key,
      values: {
        state: "published",
        published: canonicalJson(event.payload),
        published_at: event.time,
        published_by: event.actor.id,
        published_index: index,
        bundle: p.statementDigest,
      },
    },
  ];
}
