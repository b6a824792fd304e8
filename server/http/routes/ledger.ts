// The ledger's routes: issue a checkpoint (control), and read checkpoints, verifier keys, entries (one or a page), RFC 6962
// proofs and the witnesses' view (Evidence API).
import { MaestroError } from "../../../common/errors.ts";
import { toBase64 } from "../../../ledger/core/index.ts";
import type { Services } from "../../compose.ts";
import { INDEX_PARAM, parseIndexParam } from "../params.ts";
import { EVIDENCE, json, type Route } from "../route.ts";

/** Largest page of raw entries; a full `maestro ledger verify` over HTTP reads the log in pages of this size. */
export const MAX_ENTRY_PAGE = 1000;

type Ledger = Pick<Services, "ledger">;

/** The newest checkpoint as a signed note with the witnesses' cosignature lines (C2SP tlog-witness clients read them there). */
export async function latestCosignedNote(ctx: Ledger): Promise<string> {
  const latest = (await ctx.ledger.reader.latestCheckpoint()) ?? (await ctx.ledger.checkpointer.issue());
  return ctx.ledger.witnesses.cosignedNote(latest);
}

/** GET /v1/ledger/checkpoint and GET /tlog/checkpoint answer the same note. */
export const checkpointNote: Pick<Route, "response" | "handler"> = {
  response: { description: "C2SP tlog-checkpoint in a C2SP signed note", content: { "text/plain": { type: "string" } } },
  handler: (ctx: Ledger) => async (c) =>
    c.text(await latestCosignedNote(ctx), 200, { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-cache" }),
};

export const ledgerRoutes: readonly Route[] = [
  {
    method: "POST",
    path: "/v1/ledger/checkpoint",
    roles: ["admin", "security"],
    does: "issue a checkpoint now",
    response: json("ledger.checkpoint-issued"),
    handler: (s: Ledger) => async (c) => {
      // Witnesses are asked before answering, so the note returned carries whatever cosignatures they gave.
      const cp = await s.ledger.checkpointer.issueAndCosign();
      return c.json({ size: cp.size, rootHash: toBase64(cp.root), note: await s.ledger.witnesses.cosignedNote(cp) });
    },
  },
  { method: "GET", path: "/v1/ledger/checkpoint", ...EVIDENCE, publicLog: true, does: "latest signed checkpoint", ...checkpointNote },
  {
    method: "GET",
    path: "/v1/ledger/key",
    ...EVIDENCE,
    publicLog: true,
    does: "checkpoint verifier key",
    response: { description: "signed-note verifier key (vkey)", content: { "text/plain": { type: "string" } } },
    handler: (s: Pick<Services, "checkpointVkey">) => (c) =>
      c.text(`${s.checkpointVkey}\n`, 200, { "Content-Type": "text/plain; charset=utf-8" }),
  },
  {
    method: "GET",
    path: "/v1/ledger/keys",
    ...EVIDENCE,
    does: "every published public key",
    response: json("ledger.keys"),
    // Every public key an auditor needs, current and retired: checkpoint vkeys and event JWKs.
    handler: (s: Ledger) => async (c) => {
      const rows = await s.ledger.reader.publicKeys();
      const keyRow = (r: (typeof rows)[number]) => ({
        kid: r.kid,
        retiredAt: r.retired_at ? new Date(r.retired_at).toISOString() : null,
      });
      return c.json({
        checkpoint: rows.filter((r) => r.purpose === "checkpoint" && r.vkey).map((r) => ({ ...keyRow(r), vkey: r.vkey })),
        event: rows.filter((r) => r.purpose === "event").map((r) => ({ ...keyRow(r), jwk: JSON.parse(r.public_jwk) })),
      });
    },
  },
  {
    method: "GET",
    path: "/v1/ledger/entries",
    ...EVIDENCE,
    does: "a range of ledger entries",
    query: ["from", "limit"],
    params: { from: INDEX_PARAM, limit: { ...INDEX_PARAM, description: `1 to ${MAX_ENTRY_PAGE}` } },
    response: json("ledger.entries-page"),
    // Raw rows for offline verification: the verifier parses and checks them itself.
    handler: (s: Ledger) => async (c) => {
      const from = parseIndexParam(c.req.query("from") ?? "0", "from");
      const limit = parseIndexParam(c.req.query("limit") ?? "500", "limit");
      if (limit < 1 || limit > MAX_ENTRY_PAGE) {
        throw new MaestroError("invalid_field", `limit must be 1..${MAX_ENTRY_PAGE}`, { field: "limit" });
      }
      const { size } = await s.ledger.reader.head();
      const rows = from >= size ? [] : await s.ledger.reader.rawEntries(from, Math.min(limit, size - from));
      const entries = rows.map((e) => ({
        index: e.index,
        leafHash: toBase64(e.leafHash),
        canonical: toBase64(e.canonical),
        signature: e.signature,
      }));
      // Continue after the last row returned (not from + count), so a gap in the rows is seen by the verifier, not hidden.
      const end = entries.length > 0 ? entries[entries.length - 1]!.index + 1 : size;
      return c.json({ size, from, entries, next: end < size ? end : null });
    },
  },
  {
    method: "GET",
    path: "/v1/ledger/entries/:index",
    ...EVIDENCE,
    does: "one ledger entry",
    params: { index: INDEX_PARAM },
    response: json("ledger.entry", "one entry: its RFC 8785 bytes (base64), leaf hash, detached JWS and the parsed event"),
    handler: (s: Ledger) => async (c) => {
      const entry = await s.ledger.reader.entry(parseIndexParam(c.req.param("index"), "index"));
      return c.json({
        index: entry.index,
        leafHash: toBase64(entry.leafHash),
        canonical: toBase64(entry.canonical),
        event: entry.event,
        signature: entry.signature,
      });
    },
  },
  {
    method: "GET",
    path: "/v1/ledger/proofs/inclusion",
    ...EVIDENCE,
    does: "RFC 6962 inclusion proof",
    query: ["index*", "size*"],
    params: { index: INDEX_PARAM, size: INDEX_PARAM },
    response: json("ledger.inclusion-proof"),
    handler: (s: Ledger) => async (c) => {
      const index = parseIndexParam(c.req.query("index"), "index");
      const size = parseIndexParam(c.req.query("size"), "size");
      const proof = await s.ledger.reader.inclusionProof(index, size);
      return c.json({ index, size, leafHash: toBase64(proof.leafHash), hashes: proof.hashes.map(toBase64) });
    },
  },
  {
    method: "GET",
    path: "/v1/ledger/proofs/consistency",
    ...EVIDENCE,
    does: "RFC 6962 consistency proof",
    query: ["from*", "to*"],
    params: { from: INDEX_PARAM, to: INDEX_PARAM },
    response: json("ledger.consistency-proof"),
    handler: (s: Ledger) => async (c) => {
      const from = parseIndexParam(c.req.query("from"), "from");
      const to = parseIndexParam(c.req.query("to"), "to");
      const proof = await s.ledger.reader.consistencyProof(from, to);
      return c.json({ from, to, hashes: proof.hashes.map(toBase64) });
    },
  },
  {
    method: "GET",
    path: "/v1/ledger/checkpoints",
    ...EVIDENCE,
    does: "every checkpoint",
    response: json("ledger.checkpoints"),
    handler: (s: Ledger) => async (c) => {
      const all = await s.ledger.reader.checkpoints();
      const notes = await s.ledger.witnesses.cosignedNotes(all);
      return c.json({
        checkpoints: all.map((cp, i) => ({
          size: cp.size,
          rootHash: toBase64(cp.root),
          note: notes[i],
          createdAt: cp.createdAt.toISOString(),
        })),
      });
    },
  },
  {
    method: "GET",
    path: "/v1/ledger/witnessed",
    ...EVIDENCE,
    does: "newest checkpoint a witness quorum cosigned, and each witness's status",
    response: json("ledger.witnessed"),
    // Which checkpoint a quorum of the configured witnesses cosigned, and what each witness last said.
    handler: (s: Ledger) => async (c) => {
      const { witnesses } = s.ledger;
      const [cp, states] = await Promise.all([witnesses.newestWitnessed(), witnesses.status()]);
      return c.json({
        quorum: witnesses.policy.quorum,
        witnesses: states,
        checkpoint: cp && { size: cp.size, rootHash: toBase64(cp.root), note: cp.note, cosigners: cp.cosigners },
      });
    },
  },
];
