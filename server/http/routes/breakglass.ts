// Break-glass: open (admin) and review (security); each override with its overdue flag and the ledger indexes of its events.
import { MaestroError } from "../../../common/errors.ts";
import type { Services } from "../../compose.ts";
import { readJson, UUID_PARAM } from "../params.ts";
import { EVIDENCE, json, type Route } from "../route.ts";

type Breakglass = Pick<Services, "breakglass">;
export const breakglassRoutes: readonly Route[] = [
  {
    method: "POST",
    path: "/v1/breakglass",
    roles: ["admin"],
    does: "open a break-glass override (at most 1 hour)",
    body: "breakglass.open",
    status: 201,
    response: json("breakglass.breakglass"),
    handler: (s: Breakglass) => async (c) => c.json(await s.breakglass.open(await readJson(c.req), c.get("principal")), 201),
  },
  {
    method: "POST",
    path: "/v1/breakglass/:id/review",
    params: { id: UUID_PARAM },
    roles: ["security"],
    does: "review and close a break-glass",
    body: "breakglass.review",
    response: json("breakglass.breakglass"),
    handler: (s: Breakglass) => async (c) =>
      c.json(await s.breakglass.review(c.req.param("id")!, await readJson(c.req), c.get("principal"))),
  },
  {
    method: "GET",
    path: "/v1/breakglass",
    ...EVIDENCE,
    does: "break-glass overrides, overdue flags, ledger indexes",
    query: ["state", "overdue"],
    params: { state: { type: "string", enum: ["open", "reviewed"] }, overdue: { type: "string", enum: ["true", "false"] } },
    response: json("breakglass.list"),
    handler: (s: Pick<Services, "breakglass">) => async (c) => {
      const state = c.req.query("state");
      if (state !== undefined && state !== "open" && state !== "reviewed") {
        throw new MaestroError("invalid_field", "state must be open or reviewed", { field: "state" });
      }
      const overdue = c.req.query("overdue");
      if (overdue !== undefined && overdue !== "true" && overdue !== "false") {
        throw new MaestroError("invalid_field", "overdue must be true or false", { field: "overdue" });
      }
      return c.json({ breakglass: await s.breakglass.list({ state, overdue: overdue === undefined ? undefined : overdue === "true" }) });
    },
  },
];
