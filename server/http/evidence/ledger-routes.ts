// Evidence API, ledger part: checkpoints, verifier keys, entries (one or a page) and RFC 6962 proofs (GET only).
import { Hono } from "hono";
import { MaestroError } from "../../../common/errors.ts";
import { toBase64 } from "../../../ledger/core/index.ts";
import type { Services } from "../../compose.ts";
import { parseIndexParam } from "../params.ts";

/** Largest page of raw entries; a full `maestro ledger verify` over HTTP reads the log in pages of this size. */
export const MAX_ENTRY_PAGE = 1000;

/** The newest checkpoint as a signed note with the witnesses' cosignature lines (C2SP tlog-witness clients read them there). */
export async function latestCosignedNote(ctx: Pick<Services, "ledger">): Promise<string> {
  const latest = (await ctx.ledger.reader.latestCheckpoint()) ?? (await ctx.ledger.checkpointer.issue());
  return ctx.ledger.witnesses.cosignedNote(latest);
}

export function ledgerEvidenceRoutes(ctx: Pick<Services, "ledger" | "checkpointVkey">): Hono {
  const app = new Hono();
  const { reader, witnesses } = ctx.ledger;

  app.get("/v1/ledger/checkpoint", async (c) => {
    return c.text(await latestCosignedNote(ctx), 200, { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-cache" });
  });

  // Which checkpoint a quorum of the configured witnesses cosigned, and what each witness last said.
  app.get("/v1/ledger/witnessed", async (c) => {
    const [cp, states] = await Promise.all([witnesses.newestWitnessed(), witnesses.status()]);
    return c.json({
      quorum: witnesses.policy.quorum,
      witnesses: states,
      checkpoint: cp && { size: cp.size, rootHash: toBase64(cp.root), note: cp.note, cosigners: cp.cosigners },
    });
  });

  app.get("/v1/ledger/key", (c) => c.text(`${ctx.checkpointVkey}\n`, 200, { "Content-Type": "text/plain; charset=utf-8" }));

  // Raw rows for offline verification: the verifier parses and checks them itself.
  app.get("/v1/ledger/entries", async (c) => {
    const from = parseIndexParam(c.req.query("from") ?? "0", "from");
    const limit = parseIndexParam(c.req.query("limit") ?? "500", "limit");
    if (limit < 1 || limit > MAX_ENTRY_PAGE) {
      throw new MaestroError("invalid_field", `limit must be 1..${MAX_ENTRY_PAGE}`, { field: "limit" });
    }
    const { size } = await reader.head();
    const rows = from >= size ? [] : await reader.rawEntries(from, Math.min(limit, size - from));
    const entries = rows.map((e) => ({
      index: e.index,
      leafHash: toBase64(e.leafHash),
      canonical: toBase64(e.canonical),
      signature: e.signature,
    }));
    // Continue after the last row returned (not from + count), so a gap in the rows is seen by the verifier, not hidden.
    const end = entries.length > 0 ? entries[entries.length - 1].index + 1 : size;
    return c.json({ size, from, entries, next: end < size ? end : null });
  });

  // Every public key an auditor needs, current and retired: checkpoint vkeys and event JWKs.
  app.get("/v1/ledger/keys", async (c) => {
    const rows = await reader.publicKeys();
    const keyRow = (r: (typeof rows)[number]) => ({ kid: r.kid, retiredAt: r.retired_at ? new Date(r.retired_at).toISOString() : null });
    return c.json({
      checkpoint: rows.filter((r) => r.purpose === "checkpoint" && r.vkey).map((r) => ({ ...keyRow(r), vkey: r.vkey })),
      event: rows.filter((r) => r.purpose === "event").map((r) => ({ ...keyRow(r), jwk: JSON.parse(r.public_jwk) })),
    });
  });

  app.get("/v1/ledger/entries/:index", async (c) => {
    const entry = await reader.entry(parseIndexParam(c.req.param("index"), "index"));
    return c.json({
      index: entry.index,
      leafHash: toBase64(entry.leafHash),
      canonical: toBase64(entry.canonical),
      event: entry.event,
      signature: entry.signature,
    });
  });

  app.get("/v1/ledger/proofs/inclusion", async (c) => {
    const index = parseIndexParam(c.req.query("index"), "index");
    const size = parseIndexParam(c.req.query("size"), "size");
    const proof = await reader.inclusionProof(index, size);
    return c.json({ index, size, leafHash: toBase64(proof.leafHash), hashes: proof.hashes.map(toBase64) });
  });

  app.get("/v1/ledger/proofs/consistency", async (c) => {
    const from = parseIndexParam(c.req.query("from"), "from");
    const to = parseIndexParam(c.req.query("to"), "to");
    const proof = await reader.consistencyProof(from, to);
    return c.json({ from, to, hashes: proof.hashes.map(toBase64) });
  });

  app.get("/v1/ledger/checkpoints", async (c) => {
    const all = await reader.checkpoints();
    const notes = await witnesses.cosignedNotes(all);
    return c.json({
      checkpoints: all.map((cp, i) => ({
        size: cp.size,
        rootHash: toBase64(cp.root),
        note: notes[i],
        createdAt: cp.createdAt.toISOString(),
      })),
    });
  });

  return app;
}
