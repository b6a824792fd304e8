// Read side of releases: one release, cursor-paginated lists, and the row → record mapping.
import type { Kysely } from "kysely";
import { MaestroError } from "../../common/errors.ts";
import type { ReleasesTable } from "./tables.ts";
import { type ReleaseRecord } from "../../evidence/index.ts";
import type { AppDb } from "../db/app-db.ts";
import { itemAt } from "../../common/present.ts";

/** The release row; a 404 naming `field` (the path's `id`, or a query parameter) when there is none. */
export async function findRelease(db: Kysely<AppDb>, id: string, field = "id"): Promise<ReleasesTable> {
  const row = await db.selectFrom("releases").selectAll().where("id", "=", id).executeTakeFirst();
  if (!row) throw new MaestroError("not_found", `no release ${id}`, { field });
  return row;
}

export function recordOf(row: ReleasesTable): ReleaseRecord {
  const published = row.published ? (JSON.parse(row.published) as Record<string, any>) : null;
  return {
    id: row.id,
    repository: row.repository,
    version: row.version,
    artifacts: JSON.parse(row.artifacts),
    runsets: JSON.parse(row.runsets),
    sessions: JSON.parse(row.sessions),
    state: row.state,
    createdBy: row.created_by,
    createdAt: new Date(row.created_at).toISOString(),
    createdIndex: Number(row.created_index),
    sbom: row.sbom_ref ? JSON.parse(row.sbom_ref) : null,
    published:
      published && row.published_at && row.published_index !== null
        ? {
            at: new Date(row.published_at).toISOString(),
            by: String(row.published_by),
            index: Number(row.published_index),
            decisionId: published.decisionId,
            decisionIndex: published.decisionIndex,
            statementDigest: published.statementDigest,
            signerKid: published.signerKid,
            tree: published.tree,
          }
        : null,
  };
}

export interface Page<T> {
  items: T[];
  /** Opaque; pass as ?cursor= for the next page; null on the last page. */
  nextCursor: string | null;
}

export function encodeCursor(index: number): string {
  return Buffer.from(`i:${index}`).toString("base64url");
}

export function decodeCursor(cursor: string | undefined): number | undefined {
  if (cursor === undefined || cursor === "") return undefined;
  const m = /^i:(\d{1,15})$/.exec(Buffer.from(cursor, "base64url").toString("utf8"));
  if (!m) throw new MaestroError("invalid_field", "cursor is not one this API issued", { field: "cursor" });
  return Number(m[1]);
}

/** What parseLimit takes with its default bound, for the OpenAPI document: empty (the default) or 1 to 500. */
export const LIMIT_PARAM = { type: "string", pattern: "^([1-9]|[1-9][0-9]|[1-4][0-9]{2}|500)?$", description: "1 to 500 (50 if left out)" };

export function parseLimit(value: string | undefined, fallback = 50, max = 500): number {
  if (value === undefined || value === "") return fallback;
  if (!/^[1-9]\d{0,3}$/.test(value) || Number(value) > max) {
    throw new MaestroError("invalid_field", `limit must be an integer from 1 to ${max}`, { field: "limit" });
  }
  return Number(value);
}

/** Newest first, keyed by the release.created ledger index (unique and stable). */
export async function listReleases(
  db: Kysely<AppDb>,
  options: { cursor?: string; limit?: string; state?: string },
): Promise<Page<ReleaseRecord>> {
  const limit = parseLimit(options.limit);
  const before = decodeCursor(options.cursor);
  if (options.state !== undefined && options.state !== "draft" && options.state !== "published") {
    throw new MaestroError("invalid_field", "state must be draft or published", { field: "state" });
  }
  let query = db
    .selectFrom("releases")
    .selectAll()
    .orderBy("created_index", "desc")
    .limit(limit + 1);
  if (before !== undefined) query = query.where("created_index", "<", before);
  if (options.state) query = query.where("state", "=", options.state as "draft" | "published");
  const rows = await query.execute();
  const items = rows.slice(0, limit).map(recordOf);
  return { items, nextCursor: rows.length > limit ? encodeCursor(itemAt(items, items.length - 1, "releases").createdIndex) : null };
}
