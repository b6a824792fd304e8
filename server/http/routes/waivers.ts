// Waivers: request (engineer), approve (security), revoke (security, admin); every waiver with its state, approvals, use
// count and ledger indexes, an engineer seeing their own.
import { MaestroError } from "../../../common/errors.ts";
import { type Principal, sameSubject } from "../../auth/roles.ts";
import type { Services } from "../../compose.ts";
import { readJson, readOptionalJson, UUID_PARAM } from "../params.ts";
import { EVIDENCE, json, type Route } from "../route.ts";

const STATES = ["pending", "approved", "active", "revoked", "expired"];
const CAPABILITY = /^[a-z][a-z0-9_.]{0,63}$/;

/** An engineer reads only the waivers they requested; every other reader (and public read, with no token) reads all. */
const ownOnly = (p: Principal | undefined) => (p?.role === "engineer" ? p.sub : undefined);

type Waivers = Pick<Services, "waivers">;
// Engineers request waivers, so they may follow their own (and only their own: the routes filter by requester).
const READ = { ...EVIDENCE, roles: [...EVIDENCE.roles, "engineer"] } as const;

export const waiverRoutes: readonly Route[] = [
  {
    method: "POST",
    path: "/v1/waivers",
    roles: ["engineer"],
    does: "request a waiver",
    body: "waiver.request",
    status: 201,
    response: json("waiver.waiver"),
    handler: (s: Waivers) => async (c) => c.json(await s.waivers.request(await readJson(c.req), c.get("principal")), 201),
  },
  {
    method: "POST",
    path: "/v1/waivers/:id/approve",
    params: { id: UUID_PARAM },
    roles: ["security"],
    does: "approve a waiver (never your own)",
    body: "waiver.approve",
    optionalBody: true,
    response: json("waiver.waiver"),
    handler: (s: Waivers) => async (c) =>
      c.json(await s.waivers.approve(c.req.param("id")!, await readOptionalJson(c.req), c.get("principal"))),
  },
  {
    method: "POST",
    path: "/v1/waivers/:id/revoke",
    params: { id: UUID_PARAM },
    roles: ["security", "admin"],
    does: "revoke a waiver with a reason",
    body: "waiver.revoke",
    response: json("waiver.waiver"),
    handler: (s: Waivers) => async (c) => c.json(await s.waivers.revoke(c.req.param("id")!, await readJson(c.req), c.get("principal"))),
  },
  {
    method: "GET",
    path: "/v1/waivers",
    ...READ,
    does: "waivers with state, approvals and use counts (an engineer: their own)",
    // Exceptions are few and listed whole (no paging), filtered by state.
    query: ["state", "capability"],
    params: { state: { type: "string", enum: STATES }, capability: { type: "string", pattern: CAPABILITY.source } },
    response: json("waiver.list"),
    handler: (s: Waivers) => async (c) => {
      const state = c.req.query("state");
      if (state !== undefined && !STATES.includes(state)) {
        throw new MaestroError("invalid_field", `state must be one of ${STATES.join(", ")}`, { field: "state" });
      }
      const capability = c.req.query("capability");
      if (capability !== undefined && !CAPABILITY.test(capability)) {
        throw new MaestroError("invalid_field", "capability must look like repo.write", { field: "capability" });
      }
      const found = await s.waivers.list({ state, capability });
      const own = ownOnly(c.get("principal"));
      return c.json({ waivers: own === undefined ? found : found.filter((w) => sameSubject(w.requestedBy, own)) });
    },
  },
  {
    method: "GET",
    path: "/v1/waivers/:id",
    params: { id: UUID_PARAM },
    ...READ,
    does: "one waiver and the decisions that used it (an engineer: their own)",
    response: json("waiver.waiver"),
    handler: (s: Waivers) => async (c) => {
      const waiver = await s.waivers.get(c.req.param("id")!);
      const own = ownOnly(c.get("principal"));
      // Another engineer's waiver reads as absent: its id alone says nothing about whom it serves.
      if (own !== undefined && !sameSubject(waiver.requestedBy, own))
        throw new MaestroError("not_found", `no waiver ${c.req.param("id")}`, { field: "id" });
      return c.json(waiver);
    },
  },
];
