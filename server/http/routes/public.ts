// Routes anyone may read: health, the event-signing JWKS (RFC 7517) and the OpenAPI document.
import { MaestroError } from "../../../common/errors.ts";
import { isStoreUnreachable } from "../../../ledger/store/unreachable.ts";
import type { Services } from "../../compose.ts";
import { storeUnavailable } from "../error-handler.ts";
import { json, type Route, type RouteDeps } from "../route.ts";

export const publicRoutes: readonly Route[] = [
  {
    method: "GET",
    path: "/healthz",
    roles: "public",
    does: "liveness and tree size",
    response: json("public.health"),
    otherAnswers: { 503: { description: "degraded: the store cannot be read", content: { "application/json": "public.health-degraded" } } },
    handler: (ctx: Pick<Services, "ledger" | "store">) => async (c) => {
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
    },
  },
  {
    method: "GET",
    path: "/.well-known/jwks.json",
    roles: "public",
    does: "event-signing public keys",
    response: json("public.jwks"),
    handler: (s: Pick<Services, "eventJwks">) => async (c) => c.json({ keys: await s.eventJwks() }, 200, { "Cache-Control": "max-age=60" }),
  },
  {
    method: "GET",
    path: "/openapi.json",
    roles: "public",
    does: "the OpenAPI document",
    response: json("public.openapi"),
    // `servers` names the origin the document was fetched from, so tools call the server they read it from.
    handler: (s: Pick<RouteDeps, "openApiDocument">) => (c) => c.json(s.openApiDocument(new URL(c.req.url).origin)),
  },
];
