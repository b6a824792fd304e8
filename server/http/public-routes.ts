// Routes anyone may read: health, the event-signing JWKS (RFC 7517) and the OpenAPI document.
import { Hono } from "hono";
import { MaestroError } from "../../common/errors.ts";
import { isStoreUnreachable } from "../../ledger/store/unreachable.ts";
import type { Services } from "../compose.ts";
import { storeUnavailable } from "./error-handler.ts";
import { openApiDocument } from "./openapi.ts";

export function publicRoutes(ctx: Pick<Services, "ledger" | "store" | "eventJwks">): Hono {
  const app = new Hono();
  app.get("/healthz", async (c) => {
    let head: { size: number };
    try {
      head = await ctx.ledger.reader.head();
    } catch (err) {
      // Whatever stops the head being read stops decisions too: a load balancer must take this server out.
      const error = isStoreUnreachable(err)
        ? storeUnavailable(err)
        : new MaestroError("internal", "the store could not be read", { cause: err });
      return c.json({ status: "degraded", store: ctx.store.kind, error: error.toJSON().error }, 503, { "Retry-After": "1" });
    }
    return c.json({ status: "ok", store: ctx.store.kind, treeSize: head.size, origin: ctx.ledger.origin });
  });
  app.get("/.well-known/jwks.json", async (c) => c.json({ keys: await ctx.eventJwks() }, 200, { "Cache-Control": "max-age=60" }));
  // `servers` names the origin the document was fetched from, so tools call the server they read it from.
  app.get("/openapi.json", (c) => c.json(openApiDocument(new URL(c.req.url).origin)));
  return app;
}
