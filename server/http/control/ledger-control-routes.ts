// Control API, ledger part: issue a checkpoint on demand.
import { Hono } from "hono";
import { toBase64 } from "../../../ledger/core/index.ts";
import type { AuthEnv } from "../../auth/middleware.ts";
import { requireRoute } from "../../auth/route-roles.ts";
import type { Ledger } from "../../../ledger/open-ledger.ts";

export function ledgerControlRoutes(ledger: Pick<Ledger, "checkpointer" | "witnesses">): Hono<AuthEnv> {
  const app = new Hono<AuthEnv>();
  app.post("/v1/ledger/checkpoint", requireRoute("POST", "/v1/ledger/checkpoint"), async (c) => {
    // Witnesses are asked before answering, so the note returned carries whatever cosignatures they gave.
    const cp = await ledger.checkpointer.issueAndCosign();
    return c.json({ size: cp.size, rootHash: toBase64(cp.root), note: await ledger.witnesses.cosignedNote(cp) });
  });
  return app;
}
