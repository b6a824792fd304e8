// Routes anyone may read: health, the event-signing JWKS (RFC 7517) and the OpenAPI document.
import { Hono } from "hono";
import type { ServerContext } from "../context.ts";
import { openApiDocument } from "./openapi.ts";

export function publicRoutes(ctx: ServerContext): Hono {
  const app = new Hono();
  app.get("/healthz", async (c) => {
    const head = await ctx.ledger.reader.head();
    return c.json({ status: "ok", store: ctx.store.kind, treeSize: head.size, origin: ctx.ledger.origin });
  });
  app.get("/.well-known/jwks.json", async (c) => c.json({ keys: await ctx.eventJwks() }, 200, { "Cache-Control": "max-age=60" }));
  app.get("/openapi.json", (c) => c.json(openApiDocument()));
  return app;
}
