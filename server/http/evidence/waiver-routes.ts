// Evidence API, waivers: every waiver with its state, approvals, use count and ledger indexes (GET only); an engineer sees their own.
import { Hono } from "hono";
import { MaestroError } from "../../../common/errors.ts";
import type { AuthEnv } from "../../auth/middleware.ts";
import { type Principal, sameSubject } from "../../auth/roles.ts";
import type { WaiverService } from "../../exceptions/waivers/index.ts";

const STATES = ["pending", "approved", "active", "revoked", "expired"];

/** An engineer reads only the waivers they requested; every other reader (and public read, with no token) reads all. */
const ownOnly = (p: Principal | undefined) => (p?.role === "engineer" ? p.sub : undefined);

export function waiverEvidenceRoutes(waivers: WaiverService): Hono<AuthEnv> {
  const app = new Hono<AuthEnv>();
  app.get("/v1/waivers", async (c) => {
    const state = c.req.query("state");
    if (state !== undefined && !STATES.includes(state)) {
      throw new MaestroError("invalid_field", `state must be one of ${STATES.join(", ")}`, { field: "state" });
    }
    const capability = c.req.query("capability");
    if (capability !== undefined && !/^[a-z][a-z0-9_.]{0,63}$/.test(capability)) {
      throw new MaestroError("invalid_field", "capability must look like repo.write", { field: "capability" });
    }
    const found = await waivers.list({ state, capability });
    const own = ownOnly(c.get("principal"));
    return c.json({ waivers: own === undefined ? found : found.filter((w) => sameSubject(w.requestedBy, own)) });
  });
  app.get("/v1/waivers/:id", async (c) => {
    const waiver = await waivers.get(c.req.param("id"));
    const own = ownOnly(c.get("principal"));
    // Another engineer's waiver reads as absent: its id alone says nothing about whom it serves.
    if (own !== undefined && !sameSubject(waiver.requestedBy, own))
      throw new MaestroError("not_found", `no waiver ${c.req.param("id")}`, { field: "id" });
    return c.json(waiver);
  });
  return app;
}
