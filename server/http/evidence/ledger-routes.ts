// Evidence API, ledger part: checkpoints, verifier key, entries and RFC 6962 proofs (GET only).
import { Hono } from "hono";
import { toBase64 } from "../../../ledger/core/index.ts";
import type { ServerContext } from "../../context.ts";
import { parseIndexParam } from "../params.ts";

export function ledgerEvidenceRoutes(ctx: ServerContext): Hono {
  const app = new Hono();
  const { reader, checkpointer } = ctx.ledger;

  app.get("/v1/ledger/checkpoint", async (c) => {
    const latest = (await reader.latestCheckpoint()) ?? (await checkpointer.issue());
    return c.text(latest.note, 200, { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-cache" });
  });

  app.get("/v1/ledger/key", (c) => c.text(`${ctx.checkpointVkey}\n`, 200, { "Content-Type": "text/plain; charset=utf-8" }));

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
    return c.json({ checkpoints: all.map((cp) => ({ size: cp.size, rootHash: toBase64(cp.root), note: cp.note, createdAt: cp.createdAt.toISOString() })) });
  });

  return app;
}
