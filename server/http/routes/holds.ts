// Holds: place and clear (auditor); each hold with what it blocks, who to contact and what clears it.
import { MaestroError } from "../../../common/errors.ts";
import type { Services } from "../../compose.ts";
import { readJson, UUID_PARAM } from "../params.ts";
import { EVIDENCE, json, type Route } from "../route.ts";

type Holds = Pick<Services, "holds">;
export const holdRoutes: readonly Route[] = [
  {
    method: "POST",
    path: "/v1/holds",
    roles: ["auditor"],
    does: "place a hold on releases",
    body: "hold.place",
    status: 201,
    response: json("hold.hold"),
    handler: (s: Holds) => async (c) => c.json(await s.holds.place(await readJson(c.req), c.get("principal")), 201),
  },
  {
    method: "POST",
    path: "/v1/holds/:id/clear",
    params: { id: UUID_PARAM },
    roles: ["auditor"],
    does: "clear a hold with a reason",
    body: "hold.clear",
    response: json("hold.hold"),
    handler: (s: Holds) => async (c) => c.json(await s.holds.clear(c.req.param("id")!, await readJson(c.req), c.get("principal"))),
  },
  {
    method: "GET",
    path: "/v1/holds",
    ...EVIDENCE,
    does: "holds with their explanation",
    query: ["state"],
    params: { state: { type: "string", enum: ["active", "cleared"] } },
    response: json("hold.list"),
    handler: (s: Pick<Services, "holds">) => async (c) => {
      const state = c.req.query("state");
      if (state !== undefined && state !== "active" && state !== "cleared") {
        throw new MaestroError("invalid_field", "state must be active or cleared", { field: "state" });
      }
      return c.json({ holds: await s.holds.list({ state }) });
    },
  },
];
