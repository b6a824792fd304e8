// Evidence API, decisions: cursor-paginated search (release, session, run-set, agent, capability, result, reason code, time)
// and one decision with its outcome and proof links.
import { MaestroError } from "../../../common/errors.ts";
import { toBase64 } from "../../../ledger/core/index.ts";
import type { Services } from "../../compose.ts";
import { DECISION_SEARCH_PARAMS, parseDecisionFilter, searchDecisions } from "../../mediator/decision-search.ts";
import { decodeCursor, encodeCursor, findRelease, LIMIT_PARAM, parseLimit } from "../../releases/release-queries.ts";
import { EVIDENCE, json, type Route } from "../route.ts";
import { jsonWithEtag, nextLink } from "./json-etag.ts";
import { itemAt } from "../../../common/present.ts";

/**
 * `signedSize` is the tree size of the newest signed checkpoint: an inclusion proof is only worth having against a root
 * an auditor can check a signature on. An entry it does not cover yet gets no proof link; the next checkpoint (issued
 * every few seconds) will, and `checkpoint` says where to get it.
 */
function entryView(e: { index: number; leafHash: Uint8Array; event: unknown; signature: string }, signedSize: number) {
  return {
    index: e.index,
    leafHash: toBase64(e.leafHash),
    event: e.event,
    signature: e.signature,
    links: {
      entry: `/v1/ledger/entries/${e.index}`,
      checkpoint: "/v1/ledger/checkpoint",
      inclusion: e.index < signedSize ? `/v1/ledger/proofs/inclusion?index=${e.index}&size=${signedSize}` : null,
    },
  };
}

export const decisionRoutes: readonly Route[] = [
  {
    method: "GET",
    path: "/v1/decisions",
    ...EVIDENCE,
    etag: true,
    does: "decisions",
    query: ["cursor", "limit", "release", "session", "runset", "agent", "capability", "decision", "reason", "since", "until"],
    params: { limit: LIMIT_PARAM, ...DECISION_SEARCH_PARAMS },
    response: json("decision.page"),
    handler: (ctx: Pick<Services, "db">) => async (c) => {
      const limit = parseLimit(c.req.query("limit"));
      const before = decodeCursor(c.req.query("cursor"));
      const filter = parseDecisionFilter((name) => c.req.query(name));
      let sessions = c.req.queries("session") ?? [];
      let runsets = c.req.queries("runset") ?? [];
      const releaseId = c.req.query("release");
      if (releaseId) {
        const release = await findRelease(ctx.db, releaseId, "release");
        sessions = [...sessions, ...JSON.parse(release.sessions)];
        runsets = [...runsets, ...JSON.parse(release.runsets)];
        if (sessions.length === 0 && runsets.length === 0) return jsonWithEtag(c, { items: [], nextCursor: null });
      }
      const rows = await searchDecisions(ctx.db, { ...filter, sessions, runsets, before, limit });
      const items = rows.slice(0, limit).map((r) => ({
        decisionId: r.decision_id,
        ledgerIndex: Number(r.ledger_index),
        runset: r.runset,
        agent: r.agent,
        session: r.session,
        tool: r.tool,
        capability: r.capability,
        resource: r.resource,
        decision: r.decision,
        policyDigest: r.policy_digest,
        waivers: JSON.parse(r.waiver_ids) as string[],
        createdAt: new Date(r.created_at).toISOString(),
        href: `/v1/decisions/${encodeURIComponent(r.decision_id)}`,
      }));
      const nextCursor = rows.length > limit ? encodeCursor(itemAt(items, items.length - 1, "decisions").ledgerIndex) : null;
      return jsonWithEtag(c, { items, nextCursor }, nextLink(c, nextCursor));
    },
  },
  {
    method: "GET",
    path: "/v1/decisions/:id",
    ...EVIDENCE,
    etag: true,
    does: "one decision and its outcome",
    response: json("decision.detail"),
    handler: (ctx: Pick<Services, "ledger">) => async (c) => {
      const id = c.req.param("id")!;
      // The ledger is the source of truth: the decision and its outcome share the subject decision:<id>.
      const entries = await ctx.ledger.reader.entriesFor(null, `decision:${id}`);
      const decision = entries.find((e) => e.event.kind === "decision");
      if (!decision) throw new MaestroError("not_found", `no decision ${id}`, { field: "id" });
      const outcome = entries.find((e) => e.event.kind === "outcome");
      const size = (await ctx.ledger.reader.latestCheckpoint())?.size ?? 0;
      return jsonWithEtag(c, { decisionId: id, decision: entryView(decision, size), outcome: outcome ? entryView(outcome, size) : null });
    },
  },
];
