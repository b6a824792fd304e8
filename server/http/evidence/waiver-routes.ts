// Evidence API, waivers: every waiver with its state, approvals, use count and ledger indexes (GET only).
import { Hono } from "hono";
import { MaestroError } from "../../../common/errors.ts";
import type { ServerContext } from "../../context.ts";
import { service } from "../../waivers/http-support.ts";

const STATES = ["pending", "approved", "active", "revoked", "expired"];

export function waiverEvidenceRoutes(ctx: ServerContext): Hono {
  const app = new Hono();
  app.get("/v1/waivers", async (c) => {
    const state = c.req.query("state");
    if (state !== undefined && !STATES.includes(state)) {
      throw new MaestroError("invalid_field", `state must be one of ${STATES.join(", ")}`, { field: "state" });
    }
    const capability = c.req.query("capability");
    if (capability !== undefined && !/^[a-z][a-z0-9_.]{0,63}$/.test(capability)) {
      throw new MaestroError("invalid_field", "capability must look like repo.write", { field: "capability" });
    }
    return c.json({ waivers: await service(ctx.waivers, "waivers").list({ state, capability }) });
  });
  app.get("/v1/waivers/:id", async (c) => c.json(await service(ctx.waivers, "waivers").get(c.req.param("id"))));
  return app;
}
